"""The engines compared: where each one's ``Value`` class lives and what its process needs.

Each measurement runs in a fresh process that runs exactly one engine, so one
engine's objects and garbage never slow the other down. (Every process loads
``nn`` and ``autograd``, the data's home: see ``data.py``.)
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Engine:
    """An autograd engine: its ``Value`` class, its distribution, and its process setup.

    ``recursion_limit``, when set, is raised before anything runs: micrograd
    sorts its graph with a recursive function, one Python frame per node of
    depth, so the 100k-deep workloads need it. (On Python >= 3.11 a
    Python-to-Python call takes no C stack, so no bigger thread stack is needed.)
    """

    name: str
    value_module: str
    distribution: str
    version: str = ""
    install_hint: str = ""
    recursion_limit: int | None = None

    def missing(self) -> str:
        """"" when the engine can be imported at the expected version, else what is wrong and how to fix it."""
        try:
            found = importlib.metadata.version(self.distribution)
        except importlib.metadata.PackageNotFoundError:
            return f"{self.name}: the {self.distribution} package is not installed. {self.install_hint}".strip()
        if self.version and found != self.version:
            return f"{self.name}: found {self.distribution} {found}, the benchmark compares with {self.version}. {self.install_hint}".strip()
        return ""

    def prepare_process(self) -> None:
        """Set up this process for the engine (called once, before any workload runs)."""
        if self.recursion_limit is not None and sys.getrecursionlimit() < self.recursion_limit:
            sys.setrecursionlimit(self.recursion_limit)

    def value_class(self) -> Any:
        """The engine's ``Value`` class (imported on first use)."""
        return importlib.import_module(self.value_module).Value


OURS = Engine("ours", "autograd", "scalar-autograd")
MICROGRAD = Engine(
    "micrograd", "micrograd.engine", "micrograd", version="0.1.0",
    install_hint="Install it with: pip install -e '.[bench]'  (from the repository root)",
    recursion_limit=1_000_000,
)

ENGINES: dict[str, Engine] = {engine.name: engine for engine in (OURS, MICROGRAD)}
