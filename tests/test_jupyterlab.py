"""A committed notebook in JupyterLab, as a learner opens it: untrusted first, then trusted, in the dark theme.

Starts JupyterLab on 127.0.0.1 with no token, in a scratch Jupyter home (its
own trust database, settings and kernels: this interpreter), and drives it
with the system Chromium. Untrusted, JupyterLab shows no SVG and runs no
script: the drawings and the player must still show a picture. Trusted, the
player plays. Then a new cell runs ``step_through`` and its player's text
must keep its contrast in JupyterLab's dark theme.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from test_browser import CHROMIUM_FLAGS, check_contrast

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_micrograd_tour.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(root: Path, home: Path):
    """A JupyterLab server serving ``root``, stopped on exit; yields its URL."""
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "themes.jupyterlab-settings").write_text(json.dumps({"theme": "JupyterLab Dark"}))
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    notebook = home / "settings" / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True)  # every cell rendered, not only those scrolled into view
    (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    log = home / "server.log"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
         "--ServerApp.port_retries=0", "--allow-root", "--LabApp.extension_manager=readonly"],
        env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.3)
        yield url, env
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def outputs(page, selector: str):
    return page.locator(f".jp-OutputArea-output {selector}")


def test_a_committed_notebook_untrusted_then_trusted_then_a_new_player_in_the_dark_theme(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("the JupyterLab test needs the system Chromium: `apt-get install chromium`")
    root = tmp_path / "root"
    root.mkdir()
    shutil.copyfile(NOTEBOOK, root / "untrusted.ipynb")
    shutil.copyfile(NOTEBOOK, root / "trusted.ipynb")
    with jupyterlab(root, tmp_path / "home") as (url, env), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/lab/tree/untrusted.ipynb")
            # Untrusted: no SVG is shown and no script runs, yet every drawing and the player show a picture.
            still = outputs(page, "img.ag-still")
            expect(still.first).to_be_visible(timeout=30_000)
            assert still.first.evaluate("img => img.naturalWidth") > 200
            assert page.locator(".jp-OutputArea-output.jp-RenderedImage img").count() >= 4  # the draw_dots, as PNG
            assert outputs(page, ".ag-controls").count() == 0 and outputs(page, "svg").count() == 0
            assert "cluster_legend" not in page.locator(".jp-Notebook").inner_text()  # no SVG shown as text
            assert "trust the notebook" in outputs(page, ".ag-note").first.inner_text()

            # Trusted: the player plays. (Trust goes by content, so the copies are trusted only now.)
            subprocess.run([sys.executable, "-m", "jupyter", "trust", str(root / "trusted.ipynb")], env=env,
                           check=True, capture_output=True)
            page.goto(f"{url}/lab/tree/trusted.ipynb?reset")  # reset: this notebook alone, not the last workspace
            player = outputs(page, ".ag-player").first
            expect(player.locator(".ag-controls")).to_be_visible(timeout=30_000)
            assert player.locator(".ag-still").count() == 0
            first = player.locator(".ag-caption").inner_text()
            player.get_by_role("button", name="next").click()
            assert player.locator(".ag-caption").inner_text() != first
            assert player.locator(".ag-counter").inner_text().startswith("2 / ")
            # Drawings and the player take the output's width, at about the same scale (CSS px per Graphviz pt).
            scales = page.evaluate("""() => {
              const area = document.querySelector('.jp-OutputArea-output').getBoundingClientRect().width;
              const points = (img) => parseFloat(decodeURIComponent(img.src).match(/viewBox="[\\d.]+ [\\d.]+ ([\\d.]+)/)[1]);
              const drawings = [...document.querySelectorAll('.jp-RenderedSVG img')].map(img =>
                ({width: img.getBoundingClientRect().width, scale: img.getBoundingClientRect().width / (points(img) * 4 / 3)}));
              const svg = document.querySelector('.ag-stage svg');
              const player = {width: svg.getBoundingClientRect().width,
                              scale: svg.getBoundingClientRect().width / (svg.viewBox.baseVal.width * 4 / 3)};
              return {area, drawings, player};
            }""")
            print("JupyterLab sizes:", scales)
            assert scales["drawings"] and all(abs(d["width"] - scales["area"]) <= 2 for d in scales["drawings"])
            assert scales["area"] - 40 <= scales["player"]["width"] <= scales["area"]
            drawn, played = scales["drawings"][1]["scale"], scales["player"]["scale"]  # draw_dot(L), step_through(L)
            assert abs(drawn - played) / drawn < 0.1

            # A new cell with step_through, in the dark theme: the player's own colours keep their contrast.
            assert page.evaluate("document.body.dataset.jpThemeLight") == "false"
            page.locator(".jp-Notebook .jp-Cell").last.click()
            page.keyboard.press("Escape")
            page.keyboard.press("b")  # a new cell below, then edit it
            page.keyboard.press("Enter")
            page.keyboard.type('from autograd import Value, step_through\nq = Value(2.0, label="q")\n'
                               'step_through((q * q).tanh())')
            page.keyboard.press("Shift+Enter")
            new = page.locator(".jp-Notebook .jp-Cell").nth(-2).locator(".ag-player")
            expect(new.locator(".ag-controls")).to_be_visible(timeout=30_000)
            assert "q" in new.locator(".ag-stage").inner_text()
            check_contrast(page)
        finally:
            browser.close()
