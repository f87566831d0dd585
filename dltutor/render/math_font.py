"""The math font of the HTML pages, embedded: no page asks another host for anything.

MathML needs an OpenType MATH font for stretchy brackets, fraction bars and radicals; a
reader's machine may have none. The HTML sheets therefore carry Latin Modern Math (shipped
in ``render/fonts``, GUST Font License) as a base64 ``@font-face``, about 1 MB of text.
The same CSS makes a fraction in a display (an ``mtd`` of an aligned block) display size:
MathML Core shrinks table cells to script style otherwise.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from importlib import resources

FONT_FILE = "latinmodern-math.otf"
FAMILY = "dltutor Latin Modern Math"


@lru_cache(maxsize=1)
def math_font_css() -> str:
    data = resources.files("dltutor.render").joinpath("fonts", FONT_FILE).read_bytes()
    encoded = base64.b64encode(data).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; src: url(data:font/otf;base64,{encoded}) '
            'format("opentype"); }\n'
            f'math {{ font-family: "{FAMILY}", "Latin Modern Math", math; }}\n'
            'math[display="block"] mtd { math-style: normal; }\n')
