"""Fuzzing Module.load with mutated valid files: it loads what the file says, or the model is unchanged.

A mutation of a saved model's bytes (a flipped byte, a truncation, an
insertion, a deletion) or of its JSON (a value replaced by anything JSON can
hold, a key removed or added) either still is a saved model of the same
parameters, and load sets exactly the numbers it holds; or load raises our
error: a ``ValueError`` whose message starts with the file's path, with the
model, its values, gradients and labels, as they were. Never a raw exception.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn

MODEL = nn.MLP(2, [3, 1], init="he", seed=4)
GOOD_TEXT = json.dumps({"format": "scalar-autograd state_dict", "version": 1, "parameters": MODEL.state_dict()},
                       indent=1) + "\n"
GOOD_BYTES = GOOD_TEXT.encode()
GOOD_DOCUMENT = json.loads(GOOD_TEXT)

# What an attacker puts in: the edges of numbers and of nesting, and anything else JSON holds.
EDGE_TEXTS = ["9" * 400, "-" + "1" * 5000, "1e999", "-1e400", "NaN", "Infinity", "-Infinity", "1e-400",
              "[" * 100_000 + "]" * 100_000, "{" * 50_000, '"\\ud800"', "\"" + "x" * 10_000 + "\"", "\x00", "\xff"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from([10**400, -(10**1000), 2**63]),  # longer ints are in EDGE_TEXTS (json.dumps stops at 4300 digits)
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def byte_mutations() -> st.SearchStrategy[bytes]:
    n = len(GOOD_BYTES)
    at = st.integers(0, n - 1)
    flip = st.tuples(at, st.integers(0, 255)).map(lambda c: GOOD_BYTES[:c[0]] + bytes([c[1]]) + GOOD_BYTES[c[0] + 1:])
    truncate = st.integers(0, n - 1).map(lambda i: GOOD_BYTES[:i])
    insert = st.tuples(at, st.binary(min_size=1, max_size=8) | st.sampled_from(EDGE_TEXTS).map(str.encode)).map(
        lambda c: GOOD_BYTES[:c[0]] + c[1] + GOOD_BYTES[c[0]:])
    delete = st.tuples(at, st.integers(1, 40)).map(lambda c: GOOD_BYTES[:c[0]] + GOOD_BYTES[c[0] + c[1]:])
    several_flips = st.lists(st.tuples(at, st.integers(0, 255)), min_size=2, max_size=6).map(_flip_all)
    return flip | truncate | insert | delete | several_flips


def _flip_all(changes: list[tuple[int, int]]) -> bytes:
    data = bytearray(GOOD_BYTES)
    for i, b in changes:
        data[i] = b
    return bytes(data)


def json_mutations() -> st.SearchStrategy[bytes]:
    names = list(GOOD_DOCUMENT["parameters"])
    top_keys = st.sampled_from(["format", "version", "parameters"])

    def replace_parameter(change: tuple[str, Any]) -> bytes:
        return _dump_with_parameters({**GOOD_DOCUMENT["parameters"], change[0]: change[1]})

    def replace_parameter_text(change: tuple[str, str]) -> bytes:
        number = json.dumps(GOOD_DOCUMENT["parameters"][change[0]])
        return GOOD_TEXT.replace(f'"{change[0]}": {number}', f'"{change[0]}": {change[1]}').encode()

    def drop_parameter(name: str) -> bytes:
        return _dump_with_parameters({k: v for k, v in GOOD_DOCUMENT["parameters"].items() if k != name})

    def add_parameter(change: tuple[str, Any]) -> bytes:
        return _dump_with_parameters({**GOOD_DOCUMENT["parameters"], change[0]: change[1]})

    def replace_top(change: tuple[str, Any]) -> bytes:
        return _dump({**GOOD_DOCUMENT, change[0]: change[1]})

    def drop_top(key: str) -> bytes:
        return _dump({k: v for k, v in GOOD_DOCUMENT.items() if k != key})

    return (st.tuples(st.sampled_from(names), json_values).map(replace_parameter)
            | st.tuples(st.sampled_from(names), st.sampled_from(EDGE_TEXTS)).map(replace_parameter_text)
            | st.sampled_from(names).map(drop_parameter)
            | st.tuples(st.text(max_size=30), json_values).map(add_parameter)
            | st.tuples(top_keys, json_values).map(replace_top)
            | top_keys.map(drop_top)
            | json_values.map(_dump))


def _dump_with_parameters(parameters: dict[str, Any]) -> bytes:
    return _dump({**GOOD_DOCUMENT, "parameters": parameters})


def _dump(document: Any) -> bytes:
    return json.dumps(document, indent=1).encode()


def what_the_file_says(data: bytes) -> dict[str, float] | None:
    """The parameters a file holds, read independently of load: None if it is not a good file of MODEL's."""
    try:
        document = json.loads(data.decode("utf-8"))
        parameters = document["parameters"]
        version = document["version"]
        if document["format"] != GOOD_DOCUMENT["format"] or isinstance(version, bool) or version != 1:
            return None
        if sorted(parameters) != sorted(GOOD_DOCUMENT["parameters"]):
            return None
        values = {name: float(parameters[name]) for name in GOOD_DOCUMENT["parameters"]}
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        return None
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in parameters.values()):
        return None
    return values if all(math.isfinite(v) for v in values.values()) else None


def snapshot(model: nn.Module) -> list[tuple[str, float, float, str]]:
    return [(name, p.data, p.grad, p.label) for name, p in model.named_parameters()]


def check_load(data: bytes, folder: Path) -> None:
    path = folder / "mutated.json"
    path.write_bytes(data)
    model = nn.MLP(2, [3, 1], init="he", seed=12)
    model([1.0, -1.0]).backward()  # gradients, too, must survive a refused file
    before = snapshot(model)
    expected = what_the_file_says(data)
    try:
        model.load(path)
    except ValueError as error:  # our documented error: the file named first, nothing changed
        assert type(error) is ValueError, repr(error)
        assert str(error).startswith(str(path)), str(error)
        assert snapshot(model) == before
        assert expected is None, f"load refused a good file: {error}"
        return
    assert expected is not None, "load accepted a file that is not a saved model of this MLP"
    assert model.state_dict() == expected


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])


@SETTINGS
@given(data=byte_mutations())
def test_load_of_a_file_with_mutated_bytes_loads_it_or_raises_our_error(tmp_path, data):
    check_load(data, tmp_path)


@SETTINGS
@given(data=json_mutations())
def test_load_of_a_file_with_mutated_json_loads_it_or_raises_our_error(tmp_path, data):
    check_load(data, tmp_path)


def test_the_unmutated_file_loads():
    # the fuzzing starts from a file load accepts (else every mutation would be refused for nothing)
    assert what_the_file_says(GOOD_BYTES) == MODEL.state_dict()
