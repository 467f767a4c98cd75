"""The error for a missing dependency of an optional extra: it names the extra to install."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import NoReturn

DISTRIBUTION = "scalar-autograd"


def raise_missing_extra(missing: ModuleNotFoundError, package: str, extra: str, purpose: str) -> NoReturn:
    """Raise, for ``missing``, an ImportError saying that ``purpose`` needs ``package`` from ``extra``.

    Use it in ``except ModuleNotFoundError as missing:`` around ``import package``.
    Only ``package`` itself missing is translated; any other missing module
    means a broken installation and ``missing`` is raised as it is.
    """
    if missing.name != package:
        raise missing
    raise ModuleNotFoundError(f"{purpose} needs the {package!r} package, which is not installed: install the "
                              f"{extra!r} extra, `pip install '{DISTRIBUTION}[{extra}]'`", name=package) from missing


def require_extra(packages: Sequence[str], extra: str, purpose: str) -> None:
    """Raise the ImportError naming ``extra`` unless every one of ``packages`` is installed.

    For a program that would otherwise find out half-way through (after training, say).
    """
    for package in packages:
        if importlib.util.find_spec(package) is None:
            raise_missing_extra(ModuleNotFoundError(f"No module named {package!r}", name=package), package, extra,
                                purpose)
