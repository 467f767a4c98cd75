"""Shared test setup: the slow tests, marked in one place.

``pytest -m "not slow"`` runs the fast part in well under a minute while
developing; ``bash .ci/test`` (and CI) runs everything. A test is slow when it
trains a model, runs a notebook or a browser, starts other processes, or
builds a graph of a million nodes.
"""

from __future__ import annotations

import pytest

SLOW_FILES = {
    "test_notebooks.py",        # every notebook, top to bottom, in a fresh kernel
    "test_nn_demo.py",          # python -m nn.demo trains to 97%
    "test_browser.py",          # Chromium and the player
    "test_jupyterlab.py",       # a JupyterLab server and Chromium
    "test_lecture_graphviz.py", # subprocesses on a PATH without dot
    "test_memory.py",           # 200k nodes under tracemalloc
    "test_extras.py",           # subprocesses with the extras hidden
}
SLOW_TESTS = {
    "test_a_million_op_chain_backpropagates_under_the_default_recursion_limit",
    "test_the_compiled_run_says_so_and_reaches_97_percent",
    "test_compiled_training_gives_the_eager_losses_and_weights",
    "test_quick_small_run_agrees_and_writes_json",
    "test_a_long_sum_is_split_so_that_python_can_compile_it",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_FILES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True, scope="session")
def _own_compile_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """autograd.compile's disk cache in a directory of the test run's own, not the user's (subprocesses inherit it)."""
    import os
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg_cache"))
