"""The step-through player as HTML: one SVG, what changes per frame, a caption, and a little JavaScript.

Self-contained: no internet, no ipywidgets. All frames share one layout
(``steps.py``), so the page holds one picture and, per frame, which version
of each changing node or edge it shows; the script swaps those elements, so
the nodes stay put. The template is ``player.html`` (with ``player.css`` and
``player.js``, kept next to this file); a standalone page wraps it in
``player_page.html``.

Where no script runs (an untrusted notebook, GitHub), the HTML shows a PNG of
the last frame, its caption and how to play it: the SVG and the frames live in
a JSON script block, which a sanitiser drops whole.

Everything a user named is text: the SVG comes from Graphviz, which escapes
label text, captions are HTML-escaped and set with ``textContent``, and the
JSON block escapes ``<``, ``>`` and ``&``, so a label such as ``<script>`` is
shown, never run.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from importlib.resources import files
from string import Template
from collections.abc import Sequence

_shown: Counter[str] = Counter()  # players made so far in this process, per content digest
# A node, edge or cluster of Graphviz's SVG: flat, never nested.
_ELEMENT = re.compile(r'<g id="([^"]+)" class="(?:node|edge|cluster)[^"]*">.*?</g>', re.DOTALL)


def _template(name: str) -> Template:
    return Template(files(__package__).joinpath(name).read_text(encoding="utf-8"))


def frame_changes(svgs: Sequence[str]) -> dict[str, object]:
    """One SVG for all frames: ``svg`` (the first frame), ``ids`` (the elements that change),
    ``versions[j]`` (each changing element's distinct markups) and ``frames[k][j]`` (the version frame k shows).

    Raises ``ValueError`` if the frames do not share one layout (their pictures differ outside the elements).
    """
    skeletons = {_ELEMENT.sub(lambda m: m.group(1), svg) for svg in svgs}
    if len(skeletons) != 1:
        raise ValueError("the player's frames do not share one layout: their pictures differ in size")
    elements = [{m.group(1): m.group(0) for m in _ELEMENT.finditer(svg)} for svg in svgs]
    ids = [key for key in elements[0] if len({frame[key] for frame in elements}) > 1]
    versions: list[list[str]] = [list(dict.fromkeys(frame[key] for frame in elements)) for key in ids]
    frames = [[versions[j].index(frame[key]) for j, key in enumerate(ids)] for frame in elements]
    return {"svg": svgs[0], "ids": ids, "versions": versions, "frames": frames}


def _script_json(data: object) -> str:
    """``data`` as JSON that cannot end or open a tag inside a ``<script>`` element."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def player_html(svgs: Sequence[str], captions: Sequence[str], png: str | None, standalone: bool = False) -> str:
    """The player for frames ``svgs[i]`` captioned ``captions[i]``, as an HTML fragment; ``png`` (base64)
    is the still picture shown where no script runs (None: none, for a page, where scripts run).

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
    data = {**frame_changes(svgs), "captions": list(captions)}
    return _template("player.html").substitute(
        player_id=player_id,
        standalone=' data-standalone=""' if standalone else "",
        css=_template("player.css").template,
        count=len(svgs),
        last_caption=html.escape(captions[-1]),
        still="" if png is None else (f'<img class="ag-still" alt="the last of {len(svgs)} frames: every gradient '
                                      f'computed" src="data:image/png;base64,{png}">'),
        data=_script_json(data),
        js=_template("player.js").substitute(player_id=player_id),
    )


def player_page(svgs: Sequence[str], captions: Sequence[str], title: str) -> str:
    """The player as a standalone page that fits the window and focuses itself, so the arrow keys work at once."""
    return _template("player_page.html").substitute(title=html.escape(title),
                                                    player=player_html(svgs, captions, None, standalone=True))
