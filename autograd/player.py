"""The step-through player as HTML: frames of inline SVG, a caption, and a little JavaScript.

Self-contained: no internet, no ipywidgets. The template is ``player.html``
(with ``player.css`` and ``player.js``, kept next to this file); a standalone
page wraps it in ``player_page.html``. Captions are HTML-escaped and set with
``textContent``, and the SVG comes from Graphviz, which escapes label text, so
a label such as ``<script>`` is shown, never run.
"""

from __future__ import annotations

import html
import uuid
from importlib.resources import files
from string import Template
from typing import Sequence


def _template(name: str) -> Template:
    return Template(files(__package__).joinpath(name).read_text(encoding="utf-8"))


def player_html(svgs: Sequence[str], captions: Sequence[str], standalone: bool = False) -> str:
    """The player for frames ``svgs[i]`` captioned ``captions[i]``, as an HTML fragment.

    Each player gets its own element id, so several can live in one notebook.
    """
    if not svgs or len(svgs) != len(captions):
        raise ValueError(f"the player needs one caption per frame and at least one frame, "
                         f"got {len(svgs)} frames and {len(captions)} captions")
    player_id = f"ag-player-{uuid.uuid4().hex}"
    frames = "\n".join(
        f'<figure class="ag-frame" data-caption="{html.escape(caption, quote=True)}"{" hidden" if i else ""}>'
        f"{svg}</figure>"
        for i, (svg, caption) in enumerate(zip(svgs, captions)))
    return _template("player.html").substitute(
        player_id=player_id,
        standalone=' data-standalone=""' if standalone else "",
        css=_template("player.css").template,
        last=len(svgs) - 1,
        count=len(svgs),
        first_caption=html.escape(captions[0]),
        frames=frames,
        js=_template("player.js").substitute(player_id=player_id),
    )


def player_page(svgs: Sequence[str], captions: Sequence[str], title: str) -> str:
    """The player as a standalone HTML page that focuses itself, so the arrow keys work at once."""
    return _template("player_page.html").substitute(title=html.escape(title),
                                                    player=player_html(svgs, captions, standalone=True))
