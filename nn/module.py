"""``Module``: a model's parameters by name, their gradients, and saving them.

A module's parameters are the ``Value`` leaves that training changes. They are
found by walking the module's attributes in the order they were assigned:

* a ``Value`` attribute ``b`` is a parameter named ``b``;
* a ``Module`` attribute ``head`` contributes its parameters as ``head.<name>``;
* a list or tuple attribute ``neurons`` contributes its items as ``neurons.0``,
  ``neurons.1``, ... (each a ``Value``, a ``Module`` or another list);
* anything else, and every attribute whose name starts with ``_``, is not a parameter.

So an ``MLP``'s parameters are named ``layers.0.neurons.3.w.1`` (layer 0,
neuron 3, weight 1) and ``layers.0.neurons.3.b`` (its bias), and each
parameter's ``label`` is set to its name, so a drawn graph shows where every
leaf lives.

``groups("layer")`` (or ``"neuron"``) maps every parameter to the module it
belongs to at that level, by the same names: ``layers.0.neurons.3.w.1`` is in
``layers.0`` and in ``layers.0.neurons.3``. ``autograd.draw_dot(loss,
groups=model.groups("layer"))`` draws each group as one box.

The state of a model is ``{name: float}``. ``save(path)`` writes it as JSON;
``load(path)`` reads it back exactly (JSON keeps every bit of a float) after
checking the whole file against the model, so a bad file changes nothing.
``save`` replaces the file whole or not at all.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Iterator, Mapping
from numbers import Real
from pathlib import Path
from typing import Any

from autograd import Value

from .checks import SHOWN, cut, short

FILE_FORMAT = "scalar-autograd state_dict"
FILE_VERSION = 1


class Module:
    """The base of every model: parameters in a fixed order, by name; ``zero_grad``; state; save/load."""

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """``(name, parameter)`` pairs in a fixed order (see the module docstring); each parameter once."""
        seen: set[int] = set()
        for name, parameter in _walk(vars(self), ""):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of ``named_parameters``."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (gradients add up across ``backward()`` calls)."""
        for parameter in self.parameters():
            parameter.grad = 0.0

    def label_parameters(self, prefix: str = "") -> None:
        """Set each parameter's ``label`` to its name (with ``prefix`` in front), for drawings and errors."""
        for name, parameter in self.named_parameters():
            parameter.label = prefix + name

    def groups(self, level: str) -> dict[Value, str]:
        """Each parameter's group at ``level`` ("layer", "neuron", ...): the name up to ``<level>s.<index>``.

        A ``ValueError`` says so when no parameter lies in a list attribute named ``<level>s``.
        """
        found: dict[Value, str] = {}
        for name, parameter in self.named_parameters():
            parts = name.split(".")
            at = next((i for i in range(len(parts) - 1) if parts[i] == f"{level}s" and parts[i + 1].isdigit()), None)
            if at is not None:
                found[parameter] = ".".join(parts[:at + 2])
        if not found:
            example = next((name for name, _ in self.named_parameters()), "")
            raise ValueError(f"{type(self).__name__} has no {level}s to group its parameters by "
                             f"(no parameter name has '{level}s.<index>'; they look like {example!r})")
        return found

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter, plain floats in parameter order."""
        return {name: parameter.data for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state`` (as ``state_dict`` gives it).

        ``state`` must name exactly this model's parameters, each with a finite
        real number. Everything is checked before anything is set: on any
        problem a ``ValueError`` (``TypeError`` if ``state`` is not a mapping)
        says what is wrong and the model is unchanged.
        """
        values = self._checked(state)
        for name, parameter in self.named_parameters():
            parameter.data = values[name]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the parameters to ``path`` as JSON; return the path.

        The file is replaced whole or not at all: the JSON goes to a new file
        beside it (``.<name>.<random>.tmp``), is flushed to disk (``fsync``),
        and then renamed over ``path`` (``os.replace``, atomic). A save that
        fails (a full disk, a file-size limit, a parameter that is not a
        finite number) raises, removes the new file, and leaves ``path`` as it
        was, byte for byte. A process killed mid-save can leave the ``.tmp``
        file behind, never a partial ``path``.

        A parameter that is not a finite number (``load`` would refuse it)
        raises ``ValueError`` naming it; a failed write raises ``OSError`` naming ``path``.
        """
        path = Path(path)
        try:
            values = self._checked(self.state_dict())
        except ValueError as e:
            raise ValueError(f"cannot save to {path}: {e}; {path} was not touched") from None
        document = {"format": FILE_FORMAT, "version": FILE_VERSION, "parameters": values}
        _replace_whole(path, json.dumps(document, indent=1, allow_nan=False) + "\n")
        return path

    def load(self, path: str | os.PathLike[str]) -> Module:
        """Set the parameters from a file written by ``save``; return the model.

        A file that is not one (truncated, not UTF-8, not JSON, nested too
        deeply, another kind of JSON, parameters of another model, a value that
        is not a finite float) raises ``ValueError`` naming the file and the
        problem. A file that cannot be read raises ``OSError``
        (``FileNotFoundError`` when it is missing). Either way the model is unchanged.
        """
        path = Path(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"), parse_int=_json_number, parse_float=_json_number)
        except UnicodeDecodeError as e:
            raise ValueError(f"{path} is not a saved model: it is not UTF-8 text ({e})") from None
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} is not a saved model: it is not valid JSON, perhaps truncated or corrupt "
                             f"({e})") from None
        except _BeyondFloatRange as e:
            raise ValueError(f"{path} is not a saved model: it holds the number {e}, beyond the float range") from None
        except RecursionError:
            raise ValueError(f"{path} is not a saved model: its JSON is nested too deeply to read") from None
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise ValueError(f"{path} is not a saved model: expected a JSON object with \"format\": {FILE_FORMAT!r}")
        version = document.get("version")
        if isinstance(version, bool) or version != FILE_VERSION:
            raise ValueError(f"{path} has version {short(version)} of the format; this version reads {FILE_VERSION}")
        state = document.get("parameters")
        if not isinstance(state, dict):
            # the file's content is of the wrong kind, not an argument: ValueError, as for json's own errors
            raise ValueError(
                f"{path} is not a saved model: \"parameters\" should be an object of name: number")
        try:
            self.load_state_dict(state)
        except ValueError as e:
            raise ValueError(f"{path} does not fit this model: {e}") from None
        return self

    def _checked(self, state: Mapping[str, Any]) -> dict[str, float]:
        """``state`` as floats, keyed by this model's parameter names, or an error saying what is wrong."""
        if not isinstance(state, Mapping):
            raise TypeError(f"a state dict maps parameter names to numbers, got {type(state).__name__}")
        names = [name for name, _ in self.named_parameters()]
        missing = [name for name in names if name not in state]
        expected = set(names)
        unexpected = [cut(key) if isinstance(key, str) else short(key) for key in state if key not in expected]
        if missing or unexpected:
            problems = []
            if missing:
                problems.append(f"{len(missing)} missing ({_some(missing)})")
            if unexpected:
                problems.append(f"{len(unexpected)} unexpected ({_some(unexpected)})")
            raise ValueError(f"the parameter names do not match this model's {len(names)}: " + ", ".join(problems))
        values = {}
        for name in names:
            value = state[name]
            if isinstance(value, bool) or not isinstance(value, Real):
                # state values are data (most often read from a file): ValueError, as for load's other checks
                raise ValueError(
                    f"parameter {name!r} should be a number, got {type(value).__name__}: {short(value)}")
            try:
                number = float(value)
            except OverflowError:
                raise ValueError(f"parameter {name!r} should be a finite number, got {short(value)}, "
                                 "beyond the float range") from None
            if not math.isfinite(number):
                raise ValueError(f"parameter {name!r} should be a finite number, got {number!r}")
            values[name] = number
        return values


class _BeyondFloatRange(ValueError):
    """A number in a JSON file that no float can hold (its text, shortened, is the message)."""


def _json_number(text: str) -> float:
    """A JSON number as the nearest float (ints too: ``float`` has no digit limit, unlike ``int``)."""
    number = float(text)
    if not math.isfinite(number):
        raise _BeyondFloatRange(cut(text) if len(text) <= SHOWN else f"{cut(text)} ({len(text)} characters)")
    return number


def _replace_whole(path: Path, text: str) -> None:
    """Make ``path`` hold ``text``, atomically: a new file beside it, written and synced, renamed over it.

    On any failure the new file is removed and ``path`` is untouched. As an
    ordinary write would, it writes through a symbolic link (replacing the
    file the link points to, beside which the new file goes) and gives the
    file the permissions of the one it replaces, or 0o666 less the umask.
    """
    target = Path(os.path.realpath(path))
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        kept_mode: int | None = target.stat().st_mode & 0o7777
    except OSError:
        kept_mode = None
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as e:
        raise OSError(e.errno, f"cannot save to {path}: {e.strerror}; {path} was not touched") from e
    try:
        with open(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if kept_mode is not None:
            os.chmod(temporary, kept_mode)
        os.replace(temporary, target)
    except BaseException as e:
        temporary.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise OSError(e.errno, f"cannot save to {path}: {e.strerror}; {path} is as it was") from e
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for a renamed file to disk, where the system allows it (POSIX).

    The file is saved by then; a folder that cannot be synced only leaves the
    rename's survival of a power cut to the system, so it is not an error.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _walk(attributes: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Value]]:
    """The parameters inside ``attributes`` (name -> attribute), named below ``prefix``."""
    for name, item in attributes.items():
        if name.startswith("_"):
            continue
        yield from _items(item, prefix + name)


def _items(item: Any, name: str) -> Iterator[tuple[str, Value]]:
    if isinstance(item, Value):
        yield name, item
    elif isinstance(item, Module):
        yield from _walk(vars(item), name + ".")
    elif isinstance(item, (list, tuple)):
        for i, element in enumerate(item):
            yield from _items(element, f"{name}.{i}")


def _some(names: list[str], shown: int = 3) -> str:
    more = f", and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
