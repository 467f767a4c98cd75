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
"""

from __future__ import annotations

import json
import math
import os
from numbers import Real
from pathlib import Path
from typing import Any, Iterator, Mapping

from autograd import Value

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

    def save(self, path: str | os.PathLike) -> Path:
        """Write the parameters to ``path`` as JSON; return the path."""
        path = Path(path)
        document = {"format": FILE_FORMAT, "version": FILE_VERSION, "parameters": self.state_dict()}
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        return path

    def load(self, path: str | os.PathLike) -> Module:
        """Set the parameters from a file written by ``save``; return the model.

        A file that cannot be read as such (truncated, not JSON, another kind
        of JSON, parameters of another model, a value that is not a finite
        number) raises ``ValueError`` naming the file and the problem, and the
        model is unchanged. A missing file raises ``FileNotFoundError``.
        """
        path = Path(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as e:
            raise ValueError(f"{path} is not a saved model: it is not UTF-8 text ({e})") from None
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} is not a saved model: it is not valid JSON, perhaps truncated or corrupt ({e})") from None
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise ValueError(f"{path} is not a saved model: expected a JSON object with \"format\": {FILE_FORMAT!r}")
        if document.get("version") != FILE_VERSION:
            raise ValueError(f"{path} has version {document.get('version')!r} of the format; this version reads {FILE_VERSION}")
        state = document.get("parameters")
        if not isinstance(state, dict):
            raise ValueError(f"{path} is not a saved model: \"parameters\" should be an object of name: number")
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
        unexpected = [str(key) for key in state if key not in expected]
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
                raise ValueError(f"parameter {name!r} should be a number, got {type(value).__name__}: {_short(value)}")
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(f"parameter {name!r} should be a finite number, got {value!r}")
            values[name] = value
        return values


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


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
