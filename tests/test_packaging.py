"""The package's metadata: the MIT licence ships, and the extras are what the README says they are."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def names(requirements: list[str]) -> set[str]:
    return {requirement.split(";")[0].split(">")[0].split("=")[0].split("[")[0].strip() for requirement in requirements}


def test_the_licence_file_is_the_mit_licence_the_metadata_names():
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]  # hatchling puts it in the sdist and the wheel
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text and 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_the_engine_depends_on_nothing_and_each_extra_brings_its_part():
    extras = PROJECT["optional-dependencies"]
    assert PROJECT["dependencies"] == []
    assert names(extras["testing"]) == {"hypothesis"}  # light: for autograd.testing.strategies only
    assert names(extras["viz"]) == {"graphviz", "graphviz-pure"}
    assert {"scalar-autograd", "matplotlib", "tqdm"} <= names(extras["demo"])
    assert "scalar-autograd[viz]" in extras["demo"]
    assert {"scalar-autograd[demo]", "scalar-autograd[testing]"} <= set(extras["test"])
