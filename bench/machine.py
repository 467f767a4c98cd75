"""What the figures were measured on: the machine, its load, and the interpreter and how it was built.

The build matters as much as the machine: a CPython configured with
``--enable-optimizations`` (profile-guided) and ``--with-lto`` runs our ``nn``
step about a quarter faster and micrograd not at all, which moves the ratios.
The workers run under the same interpreter as ``python -m bench``
(``sys.executable``), so this describes every measurement of a run.
"""

from __future__ import annotations

import os
import platform
import sys
import sysconfig
from pathlib import Path
from typing import Any


def interpreter() -> dict[str, Any]:
    """The running interpreter: version, build, and the flags it was configured and compiled with.

    ``pgo`` is whether it was configured ``--enable-optimizations``; ``lto``
    whether ``--with-lto`` was given or ``-flto`` is among its compiler flags;
    ``shared`` whether it runs from a shared ``libpython`` (``--enable-shared``).
    """
    config_args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    cflags = " ".join(filter(None, (sysconfig.get_config_var(name) for name in ("PY_CFLAGS", "PY_CFLAGS_NODIST"))))
    return {
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "build": " ".join(platform.python_build()),
        "compiler": platform.python_compiler(),
        "executable": sys.executable,
        "config_args": config_args,
        "cflags": sysconfig.get_config_var("PY_CFLAGS") or "",
        "pgo": "--enable-optimizations" in config_args,
        "lto": "--with-lto" in config_args or "-flto" in cflags,
        "shared": bool(sysconfig.get_config_var("Py_ENABLE_SHARED")),
    }


def optimisation(build: dict[str, Any]) -> str:
    """One phrase for how optimised ``interpreter()``'s build is, as the figures should be read."""
    done = [name for name, key in (("PGO (--enable-optimizations)", "pgo"), ("LTO", "lto")) if build[key]]
    phrase = ("optimised build: " + " + ".join(done)) if done else "not an optimised build (no PGO, no LTO)"
    return phrase + (", shared libpython" if build["shared"] else ", static libpython")


def machine() -> dict[str, Any]:
    """The OS, CPU model, cores (all, and usable by this process), load average, and ``interpreter()``."""
    cpu = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "platform": platform.platform(),
        "cpu": cpu or platform.machine(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "interpreter": interpreter(),
    }


def describe(info: dict[str, Any]) -> str:
    """``machine()`` as the lines printed above the figures."""
    build = info["interpreter"]
    load = info["load_average"]
    return "\n".join([
        f"{build['implementation']} {build['version']} ({build['build']}) [{build['compiler']}]: "
        f"{optimisation(build)}",
        f"  configured with: {build['config_args'] or '(no CONFIG_ARGS recorded)'}",
        f"  PY_CFLAGS: {build['cflags'] or '(none recorded)'}",
        f"{info['platform']}; CPU {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable)"
        + (f", load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}" if load else ""),
    ])
