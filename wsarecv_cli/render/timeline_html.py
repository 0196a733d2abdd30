"""The timeline inside an HTML page: zoom with the wheel or the buttons, drag to pan.

A few lines of inline JavaScript change the SVG's viewBox (no external assets: the report is one
file that opens offline). `embed_timeline` puts the block before `</body>` of the page rich
exported, so `--export-html` holds both the call table and the picture.
"""

from __future__ import annotations

from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.render.timeline_axis import xml_text

ZOOM_SCRIPT = """
(function () {
  document.querySelectorAll('.wsarecv-zoom').forEach(function (box) {
    var svg = box.querySelector('svg');
    var full = svg.viewBox.baseVal, home = [full.x, full.y, full.width, full.height];
    var view = home.slice();
    function show() { svg.setAttribute('viewBox', view.join(' ')); }
    function zoom(factor, fx) {
      var w = Math.min(home[2], Math.max(home[2] / 400, view[2] * factor));
      var h = view[3] * (w / view[2]);
      view[0] = Math.max(home[0], Math.min(home[0] + home[2] - w, view[0] + (view[2] - w) * fx));
      view[1] = Math.max(home[1], Math.min(home[1] + home[3] - h, view[1] + (view[3] - h) * 0.5));
      view[2] = w; view[3] = h; show();
    }
    svg.addEventListener('wheel', function (e) {
      e.preventDefault();
      var r = svg.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 0.8 : 1.25, (e.clientX - r.left) / r.width);
    }, {passive: false});
    var drag = null;
    svg.addEventListener('mousedown', function (e) { drag = [e.clientX, e.clientY, view[0], view[1]]; });
    window.addEventListener('mouseup', function () { drag = null; });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect(), k = view[2] / r.width;
      view[0] = Math.max(home[0], Math.min(home[0] + home[2] - view[2], drag[2] - (e.clientX - drag[0]) * k));
      view[1] = Math.max(home[1], Math.min(home[1] + home[3] - view[3], drag[3] - (e.clientY - drag[1]) * k));
      show();
    });
    box.querySelector('.zoom-in').onclick = function () { zoom(0.5, 0.5); };
    box.querySelector('.zoom-out').onclick = function () { zoom(2, 0.5); };
    box.querySelector('.zoom-reset').onclick = function () { view = home.slice(); show(); };
    svg.addEventListener('dblclick', function () { view = home.slice(); show(); });
  });
})();
"""

BLOCK_STYLE = (".wsarecv-zoom { margin: 1em 0; } .wsarecv-zoom svg { width: 100%; height: auto; cursor: grab; "
               "border: 1px solid #ddd; background: #fff; } .wsarecv-zoom button { margin-right: .4em; }")


def timeline_block(svg: str) -> str:
    """The SVG with its zoom buttons and script, as an HTML fragment."""
    body = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
    return (f'<section class="wsarecv-zoom"><style>{BLOCK_STYLE}</style>\n'
            '<div><button class="zoom-in">zoom in</button><button class="zoom-out">zoom out</button>'
            '<button class="zoom-reset">reset</button> wheel: zoom at the pointer, drag: pan, '
            'double-click: reset; hover a mark for its numbers</div>\n'
            f'{body}<script>//<![CDATA[\n{ZOOM_SCRIPT}\n//]]></script></section>\n')  # CDATA: the page parses as XML too


def embed_timeline(html: str, svg: str) -> str:
    """A rich-exported page with the timeline block before `</body>` (at the end when there is none)."""
    block = timeline_block(svg)
    marker = html.rfind("</body>")
    if marker < 0:
        return html + block
    return html[:marker] + block + html[marker:]


def timeline_page(svg: str, title: str = "wsarecv timeline") -> str:
    """A page holding only the timeline (what a browser test screenshots)."""
    return embed_timeline(f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{xml_text(title)}</title>"
                          "</head><body>\n</body></html>\n", svg)


def write_text(path: str, text: str) -> None:
    """Write a picture or page; an unwritable path is one clear error."""
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        raise WsarecvError(f"cannot write {path}: {exc.strerror}") from exc


def add_timeline_to_html(path: str, svg: str) -> None:
    """Put the picture into the HTML report already written at `path`."""
    try:
        with open(path, encoding="utf-8") as page:
            html = page.read()
    except OSError as exc:
        raise WsarecvError(f"cannot read back {path}: {exc.strerror}") from exc
    write_text(path, embed_timeline(html, svg))
