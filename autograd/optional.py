"""Optional dependencies: the ImportError that says which extra of scalar-autograd installs one.

A module that needs an optional package imports it at its top, and turns a
missing package into this error::

    try:
        import torch
    except ModuleNotFoundError as missing:
        raise missing_extra("nn.torch_bridge", "torch", missing) from missing

The engine itself needs none: only the modules that say so import them, and
nothing imports those modules until they are used.
"""

from __future__ import annotations


def missing_extra(feature: str, extra: str, missing: ModuleNotFoundError) -> ImportError:
    """The error for ``feature`` when the import ``missing`` failed: install ``scalar-autograd[extra]``."""
    package = missing.name or extra
    return ImportError(f"{feature} needs {package}, which is not installed here ({missing}): "
                       f"install it with pip install 'scalar-autograd[{extra}]'", name=package)
