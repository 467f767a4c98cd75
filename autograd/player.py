"""The step-through player as HTML: frames of inline SVG, a caption, and a little JavaScript.

Self-contained: no internet, no ipywidgets. The template is ``player.html``
(with ``player.css`` and ``player.js``, kept next to this file); a standalone
page wraps it in ``player_page.html``. Captions are HTML-escaped and set with
``textContent``, and the SVG comes from Graphviz, which escapes label text, so
a label such as ``<script>`` is shown, never run.
"""

from __future__ import annotations

import hashlib
import html
from collections import Counter
from importlib.resources import files
from string import Template
from typing import Sequence

_shown: Counter[str] = Counter()  # players made so far in this process, per content digest


def _template(name: str) -> Template:
    return Template(files(__package__).joinpath(name).read_text(encoding="utf-8"))


def player_html(svgs: Sequence[str], captions: Sequence[str], standalone: bool = False) -> str:
    """The player for frames ``svgs[i]`` captioned ``captions[i]``, as an HTML fragment.

    Each player gets its own element id, so several can live in one notebook:
    a digest of its frames and captions, then how many players with that
    content this process has made before. Re-running a notebook gives the
    same ids, so a refreshed notebook does not change where nothing else did.
    """
    if not svgs or len(svgs) != len(captions):
        raise ValueError(f"the player needs one caption per frame and at least one frame, "
                         f"got {len(svgs)} frames and {len(captions)} captions")
    digest = hashlib.sha256("\0".join([*svgs, *captions, str(standalone)]).encode("utf-8")).hexdigest()[:16]
    player_id = f"ag-player-{digest}_{_shown[digest]}"
    _shown[digest] += 1
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
