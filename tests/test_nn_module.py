"""Module: parameters by name, zero_grad, state_dict, and save/load that never half-loads."""

from __future__ import annotations

import json

import pytest

import nn
from autograd import Value


def model() -> nn.MLP:
    return nn.MLP(2, [3, 1], init="he", seed=4)


def snapshot(m: nn.Module) -> list[tuple[str, float, float, str]]:
    return [(name, p.data, p.grad, p.label) for name, p in m.named_parameters()]


def test_a_module_of_your_own_finds_values_modules_and_lists():
    class Head(nn.Module):
        def __init__(self):
            self.scale = Value(2.0)
            self.body = nn.Neuron(2, seed=0)
            self.extra = [Value(1.0), [Value(3.0)]]
            self._cache = Value(9.0)  # private: not a parameter
            self.size = 2  # not a Value: ignored

    head = Head()
    assert [name for name, _ in head.named_parameters()] == [
        "scale", "body.w.0", "body.w.1", "body.b", "extra.0", "extra.1.0"]


def test_a_shared_parameter_is_listed_once():
    class Tied(nn.Module):
        def __init__(self):
            self.a = Value(1.0)
            self.b = self.a

    assert len(Tied().parameters()) == 1


def test_zero_grad():
    m = model()
    m([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


def test_state_dict_is_plain_floats_by_name_and_loads_back():
    m = model()
    state = m.state_dict()
    assert list(state) == [name for name, _ in m.named_parameters()]
    assert all(type(v) is float for v in state.values())
    other = nn.MLP(2, [3, 1], init="he", seed=99)
    other.load_state_dict(state)
    assert other.state_dict() == state
    assert other([0.3, 0.4]).data == m([0.3, 0.4]).data


def test_save_and_load_round_trip_is_exact(tmp_path):
    m = model()
    for p in m.parameters():  # values whose shortest repr needs all 17 digits
        p.data = p.data / 3.0 + 1e-17
    path = m.save(tmp_path / "model.json")
    fresh = nn.MLP(2, [3, 1], seed=1)
    assert fresh.load(path) is fresh
    assert fresh.state_dict() == m.state_dict()  # every bit
    assert [p.label for p in fresh.parameters()] == [p.label for p in m.parameters()]


def good_document(tmp_path) -> dict:
    path = model().save(tmp_path / "good.json")
    return json.loads(path.read_text())


def with_parameters(document: dict, change) -> str:
    parameters = dict(document["parameters"])
    change(parameters)
    return json.dumps({**document, "parameters": parameters})


FIRST = "layers.0.neurons.0.w.0"
BAD_FILES = {
    "truncated": (lambda doc: json.dumps(doc)[:-40], "not valid JSON"),
    "empty": (lambda doc: "", "not valid JSON"),
    "not JSON": (lambda doc: "weights: 1, 2, 3", "not valid JSON"),
    "a JSON list": (lambda doc: "[1.0, 2.0]", "not a saved model"),
    "another format": (lambda doc: json.dumps({**doc, "format": "pickle"}), "not a saved model"),
    "a later version": (lambda doc: json.dumps({**doc, "version": 2}), "version 2"),
    "parameters not an object": (lambda doc: json.dumps({**doc, "parameters": [1.0]}), '"parameters"'),
    "a missing key": (lambda doc: with_parameters(doc, lambda p: p.pop("layers.1.neurons.0.b")),
                      "1 missing (layers.1.neurons.0.b)"),
    "an extra key": (lambda doc: with_parameters(doc, lambda p: p.update({"layers.2.neurons.0.b": 0.0})),
                     "1 unexpected (layers.2.neurons.0.b)"),
    "a string": (lambda doc: with_parameters(doc, lambda p: p.update({FIRST: "0.5"})), f"{FIRST!r} should be a number"),
    "null": (lambda doc: with_parameters(doc, lambda p: p.update({FIRST: None})), "got NoneType"),
    "a boolean": (lambda doc: with_parameters(doc, lambda p: p.update({FIRST: True})), "got bool"),
    "a list": (lambda doc: with_parameters(doc, lambda p: p.update({FIRST: [0.5]})), "got list"),
    "NaN": (lambda doc: with_parameters(doc, lambda p: p.update({FIRST: float("nan")})), "finite"),
    "Infinity": (lambda doc: with_parameters(doc, lambda p: p.update({FIRST: float("inf")})), "finite"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_its_problem_and_changes_nothing(tmp_path, case):
    make, message = BAD_FILES[case]
    path = tmp_path / "bad.json"
    path.write_text(make(good_document(tmp_path)), encoding="utf-8")
    m = nn.MLP(2, [3, 1], init="he", seed=12)
    m([1.0, -1.0]).backward()  # grads too must survive
    before = snapshot(m)
    with pytest.raises(ValueError) as error:
        m.load(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)
    assert snapshot(m) == before


def test_a_file_of_a_different_model_is_refused_and_changes_nothing(tmp_path):
    path = nn.MLP(2, [4, 1], seed=0).save(tmp_path / "wider.json")
    m = model()
    before = snapshot(m)
    with pytest.raises(ValueError, match=r"do not match this model's 13: 4 unexpected \(layers\.0\.neurons\.3\.w\.0"):
        m.load(path)
    assert snapshot(m) == before


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    m = model()
    before = snapshot(m)
    with pytest.raises(ValueError, match="not UTF-8"):
        m.load(path)
    assert snapshot(m) == before


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        model().load(tmp_path / "nowhere.json")


def test_load_state_dict_checks_everything_first():
    m = model()
    before = snapshot(m)
    state = m.state_dict()
    state = {name: 0.0 for name in state} | {"layers.1.neurons.0.b": "oops"}  # the bad one comes last
    with pytest.raises(ValueError, match="'layers.1.neurons.0.b' should be a number"):
        m.load_state_dict(state)
    assert snapshot(m) == before
    with pytest.raises(TypeError, match="list"):
        m.load_state_dict([1.0, 2.0])
