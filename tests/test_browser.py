"""The step-through player as a person uses it: a saved page in headless Chromium, driven by Playwright.

Uses the system Chromium (Debian's ``chromium`` package), never a downloaded
browser. Without it the test fails, saying what to install.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest

from autograd import Value, step_through
from test_draw import lecture_neuron

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextmanager
def open_page(path):
    """A headless system Chromium showing the page at ``path``, and the list of URLs it requested."""
    chromium = shutil.which("chromium")
    if chromium is None:  # a failure, not a skip: the browser test is part of the suite
        pytest.fail("the browser test needs the system Chromium: `apt-get install chromium` "
                    "(Playwright drives it; no browser is downloaded)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser test needs Playwright: `pip install playwright` (the test extra)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 700})
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.as_uri())
            yield page, requests
        finally:
            browser.close()


def highlighted(page) -> str:
    """The label of the highlighted node in the visible frame."""
    return page.locator(".ag-frame:not([hidden]) g.node.current text").first.text_content()


def caption(page) -> str:
    return page.locator(".ag-caption").inner_text()


def test_next_and_arrow_key_step_and_the_last_frame_shows_the_final_grads(tmp_path):
    v = lecture_neuron()
    steps = step_through(v["o"])
    path = steps.save_html(tmp_path / "backprop.html")
    v["o"].backward()  # what the last frame must show

    with open_page(path) as (page, requests):
        check_player(page, requests, steps, v)


def check_player(page, requests, steps, v) -> None:
    assert page.locator(".ag-frame:not([hidden])").count() == 1
    seen = [(highlighted(page), caption(page))]
    assert seen[0] == (steps[0].current.label, steps[0].caption)

    page.get_by_role("button", name="next").click()
    seen.append((highlighted(page), caption(page)))
    page.keyboard.press("ArrowRight")
    seen.append((highlighted(page), caption(page)))
    assert seen == [(steps[i].current.label, steps[i].caption) for i in range(3)]
    assert len({node for node, _ in seen}) == 3 and len({text for _, text in seen}) == 3
    assert page.locator(".ag-counter").inner_text() == f"3 / {len(steps)}"

    page.keyboard.press("ArrowLeft")
    assert caption(page) == steps[1].caption
    for _ in range(len(steps)):  # past the end: it stops at the last frame
        page.keyboard.press("ArrowRight")
    assert caption(page) == steps[-1].caption
    assert page.locator(".ag-slider").input_value() == str(len(steps) - 1)

    shown = {}
    for node in page.locator(".ag-frame:not([hidden]) g.node").all():
        texts = node.locator("text").all_text_contents()
        if len(texts) == 3:
            shown[texts[0]] = texts[2]
    for name in ("x1", "x2", "w1", "w2", "b"):
        assert shown[name] == f"grad {v[name].grad:.4f}"
    assert shown["x1"] == "grad -1.5000"
    assert all(url.startswith("file://") for url in requests)  # nothing from the internet


def test_a_script_label_is_shown_never_run(tmp_path):
    x = Value(2.0, label="<script>window.pwned = 1</script>")
    y = x * x
    y.label = "<img src=x onerror=window.pwned=2>"
    with open_page(step_through(y).save_html(tmp_path / "nasty.html")) as (page, _):
        page.keyboard.press("End")
        assert page.evaluate("window.pwned") is None
        labels = page.locator(".ag-frame:not([hidden]) g.node text").all_text_contents()
        assert "<script>window.pwned = 1</script>" in labels
        assert "<img src=x onerror=window.pwned=2>" in labels
        assert caption(page).startswith("grad 1.0 flows from <img src=x onerror=window.pwned=2> to <script>")
