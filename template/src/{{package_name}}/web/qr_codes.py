"""QR codes drawn on the server, as inline SVG: the page needs no script and no image request."""

import segno
from markupsafe import Markup


def svg(text: str, title: str) -> Markup:
    """`text` as a QR code, an <svg> element with `title` as its accessible name."""
    code = segno.make(text, error="m")
    # segno escapes the title; the SVG is segno's own markup, safe to place in the page.
    return Markup(  # noqa: S704
        code.svg_inline(scale=4, dark="#111", light="#fff", title=title, omitsize=False)
    )
