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
def open_page(path, viewport=(1400, 700), color_scheme="light"):
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
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, color_scheme=color_scheme)
            requests, errors = [], []
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(path.as_uri())
            yield page, requests
            assert errors == []
        finally:
            browser.close()


def highlighted(page) -> str:
    """The label of the highlighted node in the visible frame."""
    return page.locator(".ag-stage g.node.current text").first.text_content()


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
    assert page.locator(".ag-stage svg").count() == 1 and page.locator(".ag-still, .ag-note").count() == 0
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
    for node in page.locator(".ag-stage g.node").all():
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
        labels = page.locator(".ag-stage g.node text").all_text_contents()
        assert "<script>window.pwned = 1</script>" in labels
        assert "<img src=x onerror=window.pwned=2>" in labels
        assert caption(page).startswith("backward 2/2: the gradient flows from <img src=x onerror=window.pwned=2> "
                                        "back to <script>")


def luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(float(c)) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    """The WCAG contrast ratio of two rgb(...) colours."""
    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Each text part of the player: its colour and the background it sits on (the nearest non-transparent one).
COLOURS = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) { return c; }
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('.ag-caption, .ag-controls button, .ag-counter')].map(e => ({
    part: e.className || e.textContent, fg: rgb(getComputedStyle(e).color), bg: background(e)}));
}"""


def check_contrast(page) -> float:
    """Every text of the player carries its own colours with contrast >= 4.5:1 (WCAG AA); the lowest ratio."""
    parts = page.evaluate(COLOURS)
    assert len(parts) >= 8
    ratios = {part["part"]: contrast(part["fg"], part["bg"]) for part in parts}
    assert min(ratios.values()) >= 4.5, ratios
    return min(ratios.values())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_has_contrast_in_light_and_dark(tmp_path, scheme):
    v = lecture_neuron()
    with open_page(step_through(v["o"]).save_html(tmp_path / "p.html"), color_scheme=scheme) as (page, _):
        check_contrast(page)
        caption_bg = page.evaluate("getComputedStyle(document.querySelector('.ag-caption')).backgroundColor")
        assert (luminance([int(c) for c in caption_bg[4:-1].split(",")]) < 0.2) == (scheme == "dark")


def demo_neuron():
    import nn
    from nn.demo import one_neuron

    X, _ = nn.make_moons(100, seed=0)
    model = nn.MLP(2, [16, 16, 1], activation="relu", init="he", seed=0)
    return one_neuron(model, X)


SIZES = """() => {
  const svg = document.querySelector('.ag-stage svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const node = [...svg.querySelectorAll('g.node text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);
  return {node: Math.min(...node), caption: parseFloat(getComputedStyle(document.querySelector('.ag-caption')).fontSize),
          width: svg.getBoundingClientRect().width, window: window.innerWidth};
}"""


def test_a_projector_at_1024_by_768_reads_the_demo_neuron(tmp_path):
    with open_page(step_through(demo_neuron()).save_html(tmp_path / "demo.html"), viewport=(1024, 768)) as (page, _):
        sizes = page.evaluate(SIZES)
        assert sizes["node"] >= 14 and sizes["caption"] >= 18, sizes
        assert sizes["width"] <= sizes["window"]  # fitted: no horizontal scrolling
        for name in ("zoom out", "fit", "zoom in", "full screen"):
            assert page.get_by_role("button", name=name).count() == 1
        page.get_by_role("button", name="zoom in").click()
        assert page.evaluate(SIZES)["node"] > sizes["node"]
        page.get_by_role("button", name="fit").click()
        assert abs(page.evaluate(SIZES)["node"] - sizes["node"]) < 0.5


BOXES = """() => [...document.querySelectorAll('.ag-stage g.node')].map(g => {
  const r = g.getBoundingClientRect(); return [g.id, Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
})"""


def test_node_boxes_stay_put_and_the_arrow_points_back_at_the_operand(tmp_path):
    v = lecture_neuron()
    steps = step_through(v["o"])
    with open_page(steps.save_html(tmp_path / "p.html")) as (page, _):
        first = page.evaluate(BOXES)
        assert len(first) >= 15
        for i in range(1, len(steps)):
            page.keyboard.press("ArrowRight")
            assert page.evaluate(BOXES) == first, f"frame {i}"
            if steps[i].phase == "backward" and i > 6:
                # The current edge's arrowhead sits at the operand (the highlighted node), not at the op.
                where = page.evaluate("""() => {
                  const head = document.querySelector('.ag-stage g.edge.current polygon').getBoundingClientRect();
                  const node = document.querySelector('.ag-stage g.node.current').getBoundingClientRect();
                  const op = document.querySelector('.ag-stage g.edge.current title').textContent.split('->')[1];
                  const opBox = [...document.querySelectorAll('.ag-stage g.node')].find(g => g.id === op.trim())
                                .getBoundingClientRect();
                  const d = (a, b) => Math.hypot(a.x + a.width / 2 - (b.x + b.width / 2), a.y + a.height / 2 - (b.y + b.height / 2));
                  return {toNode: Math.min(Math.abs(head.x - node.right), Math.abs(head.right - node.left),
                                           Math.abs(head.y - node.bottom), Math.abs(head.bottom - node.top)),
                          toOp: d(head, opBox), opWidth: opBox.width};
                }""")
                assert where["toNode"] < 15 and where["toOp"] > where["opWidth"] / 2, (i, where)
                assert caption(page) == steps[i].caption and "Local derivative: ∂" in caption(page)
