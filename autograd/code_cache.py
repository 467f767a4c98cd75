"""A disk cache of generated code, so that a later process running the same program neither writes nor compiles it.

An entry is one file, named by a hash of the program's identity (see
``codegen.Writer.identity``) and of this interpreter's bytecode version
(``importlib.util.MAGIC_NUMBER``), holding ``marshal`` data, which only the same
bytecode version reads. Entries live in ``$XDG_CACHE_HOME/scalar-autograd``, else
``~/.cache/scalar-autograd``; ``AUTOGRAD_COMPILE_CACHE=0`` turns the cache off.

The cache only saves time, so it never fails a call: an entry that cannot be
read is a miss (and is written afresh), a directory that cannot be written is
no cache, and a file is replaced whole (written aside, then renamed), so a
reader never sees half an entry.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

_SUFFIX = ".marshal"


def directory() -> Path | None:
    """Where entries live, or None when ``AUTOGRAD_COMPILE_CACHE=0``."""
    if os.environ.get("AUTOGRAD_COMPILE_CACHE") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "scalar-autograd"


def key(identity: bytes) -> str:
    """The entry name for a program's identity, on this interpreter's bytecode version."""
    return hashlib.sha256(importlib.util.MAGIC_NUMBER + identity).hexdigest()


def load(name: str) -> object | None:
    """The value stored under ``name``, or None: no cache, no entry, or an entry that cannot be read as one."""
    where = directory()
    if where is None:
        return None
    try:
        stored_name, value = marshal.loads((where / f"{name}{_SUFFIX}").read_bytes())
    except Exception:  # missing, unreadable, truncated, or not what this module writes
        return None
    return value if stored_name == name else None


def store(name: str, value: Any) -> None:
    """Store ``value`` (anything ``marshal`` writes) under ``name``; silently nothing if it cannot be written."""
    where = directory()
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(marshal.dumps((name, value)))
            os.replace(temporary, where / f"{name}{_SUFFIX}")
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError):  # an unwritable directory; a value marshal cannot write
        pass
