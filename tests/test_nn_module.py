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
    "version true": (lambda doc: json.dumps({**doc, "version": True}), "version True"),
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


# ---------------------------------------------------------------- attacks on load (issue 11)


def file_with_first_parameter(tmp_path, text: str):
    """The good file, with the text of its first parameter's number replaced by ``text``."""
    document = good_document(tmp_path)
    written = json.dumps(document, indent=1)
    number = json.dumps(document["parameters"][FIRST])
    assert written.count(number) == 1
    return written.replace(number, text)


NUMBER_ATTACKS = {
    "a 400-digit int": ("9" * 400, "the number " + "9" * 37 + "... (400 characters), beyond the float range"),
    "a 5000-digit int": ("1" * 5000, "(5000 characters), beyond the float range"),
    "a negative 400-digit int": ("-" + "7" * 400, "(401 characters), beyond the float range"),
    "a float literal beyond the range": ("1e999", "the number 1e999, beyond the float range"),
    "a long float literal beyond the range": ("2" * 500 + ".5", "(502 characters), beyond the float range"),
}


@pytest.mark.parametrize("case", NUMBER_ATTACKS)
def test_a_number_beyond_the_float_range_is_our_error_naming_the_file(tmp_path, case):
    # The attack: a 400-digit int raised a bare OverflowError, a 5000-digit int a raw ValueError about
    # Python's digit limit, both from inside load.
    text, message = NUMBER_ATTACKS[case]
    path = tmp_path / "big.json"
    path.write_text(file_with_first_parameter(tmp_path, text), encoding="utf-8")
    m = nn.MLP(2, [3, 1], init="he", seed=12)
    before = snapshot(m)
    with pytest.raises(ValueError) as error:
        m.load(path)
    assert type(error.value) is ValueError
    assert str(error.value).startswith(f"{path} is not a saved model: ") and message in str(error.value)
    assert snapshot(m) == before


@pytest.mark.parametrize("where", ["the whole file", "a parameter"])
def test_json_nested_100k_deep_is_our_error_naming_the_file(tmp_path, where):
    # The attack: 100k nested arrays raised RecursionError from inside json.
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.json"
    path.write_text(deep if where == "the whole file" else file_with_first_parameter(tmp_path, deep))
    m = model()
    before = snapshot(m)
    with pytest.raises(ValueError, match="its JSON is nested too deeply to read") as error:
        m.load(path)
    assert str(error.value).startswith(str(path))
    assert snapshot(m) == before


@pytest.mark.parametrize("huge", [10**400, -(10**5000)], ids=["10**400", "-10**5000"])
def test_load_state_dict_with_a_huge_int_names_the_parameter(huge):
    m = model()
    before = snapshot(m)
    with pytest.raises(ValueError, match=rf"parameter {FIRST!r} should be a finite number, got an int of about "
                                         r"\d+ digits, beyond the float range"):
        m.load_state_dict({**m.state_dict(), FIRST: huge})
    assert snapshot(m) == before


def test_a_huge_name_or_version_is_shown_short(tmp_path):
    document = good_document(tmp_path)
    path = tmp_path / "long.json"
    path.write_text(json.dumps({**document, "version": "v" * 100_000}))
    with pytest.raises(ValueError) as error:
        model().load(path)
    assert len(str(error.value)) < len(str(path)) + 200
    path.write_text(json.dumps({**document, "parameters": {**document["parameters"], "x" * 100_000: 1.0}}))
    with pytest.raises(ValueError, match=r"1 unexpected \(xxx+\.\.\.\)") as error:
        model().load(path)
    assert len(str(error.value)) < len(str(path)) + 200
