"""
---
id: "1174be52-4288-4823-bfaa-5a77207e3cf9"
title: "Tag Cloud"
kind: "macro"
entrypoint: "render"
enabled: true
version: 2
createdAt: "2026-11-24T00:00:00.000Z"
updatedAt: "2026-12-02T00:00:00.000Z"
---
"""
# A cloud of the tags of published posts: [[tag_cloud orientation="mixed-hv" width=1200 height=500]]
# orientation: horizontal (default), mixed-hv or mixed-diagonal, aliases below, any case.
# width: 320-1600 (default 900). height: 180-900 (default 420). A bad value warns and uses the default.
# Sizes, order, links and the data-* attributes are the reference desktop app's; the words are laid out
# here, in Python, into the <svg>: the page needs no script to show the cloud.
import json
import math
import re
import unicodedata
from urllib.parse import quote

from pymark import site

ORIENTATIONS = {
    "horizontal": "horizontal",
    "mixed-hv": "mixed-hv",
    "mixed_hv": "mixed-hv",
    "hv": "mixed-hv",
    "horizontal_vertical": "mixed-hv",
    "mixed-diagonal": "mixed-diagonal",
    "mixed_diagonal": "mixed-diagonal",
    "diagonal": "mixed-diagonal",
    "diag": "mixed-diagonal",
}
# The angles each orientation turns words by, taken in turn so the same tags always draw the same cloud.
ANGLES = {"horizontal": (0,), "mixed-hv": (0, 90), "mixed-diagonal": (0, -30, 30, -60, 60, 90)}
SMALLEST, LARGEST, EQUAL = 14, 56, 35
# Colour stops from few to many uses: blue, green, yellow, orange, red (Pico's defaults).
BLUE, GREEN, RED = (74, 99, 146), (53, 117, 56), (183, 72, 72)
EASING = 0.7
PADDING = 4

# Read by the editor (completion, hover), Try a macro and the preview's argument warnings; see docs/macros.md.
PARAMS = {
    "orientation": {
        "type": "str",
        "default": "horizontal",
        "values": ["horizontal", "mixed-hv", "mixed-diagonal"],
        "doc": "How the words are turned (aliases such as hv or diagonal work too)",
    },
    "width": {"type": "int", "default": 900, "doc": "Width in pixels, 320 to 1600"},
    "height": {"type": "int", "default": 420, "doc": "Height in pixels, 180 to 900"},
}


def render(context):
    params = context["params"]
    warnings = []
    orientation = pick_orientation(params.get("orientation", "horizontal"), warnings)
    width = pick_size(params, "width", 320, 1600, 900, warnings)
    height = pick_size(params, "height", 180, 900, 420, warnings)
    words = cloud_words(site.tag_counts(published_only=True))
    if not words:
        return {"html": '<div class="macro-tag-cloud tag-cloud-empty">No tags found.</div>', "warnings": warnings}
    # JSON.stringify's text: no spaces, non-ASCII kept.
    words_json = json.dumps(words, ensure_ascii=False, separators=(",", ":"))
    return {
        "html": (
            f'<div class="macro-tag-cloud" data-tag-cloud="true" data-orientation="{escape(orientation)}" '
            'data-color-distribution="quantile" data-color-easing="0.7" data-color-theme="pico" '
            f'data-tag-cloud-words="{escape(words_json)}" data-width="{width}" data-height="{height}">'
            f'<svg class="tag-cloud-canvas" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
            f'aria-label="Tag cloud">{draw(words, orientation, width, height)}</svg></div>'
        ),
        "warnings": warnings,
    }


def pick_orientation(value, warnings):
    orientation = ORIENTATIONS.get(str(value).strip().lower())
    if orientation is None:
        warnings.append("tag_cloud: orientation must be horizontal, mixed-hv or mixed-diagonal; using horizontal")
        return "horizontal"
    return orientation


def pick_size(params, name, low, high, default, warnings):
    value = params.get(name, default)
    if isinstance(value, str):
        # The reference app reads a quoted "1200" with parseInt: leading digits count, the rest is ignored.
        digits = re.match(r"\s*([+-]?\d+)", value)
        value = int(digits.group(1)) if digits else None
    # bool is a subclass of int in Python, but width=true is no size.
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    warnings.append(f"tag_cloud: {name} must be a whole number from {low} to {high}; using {default}")
    return default


def cloud_words(counts):
    """The words to draw, most used first, then by name in locale order; sized from 14 to 56 by count."""
    if not counts:
        return []
    fewest, most = min(counts.values()), max(counts.values())

    def size(count):
        if most == fewest:
            return EQUAL
        # Half up, as JavaScript's Math.round in the reference desktop app (Python's round() goes to even).
        return math.floor(SMALLEST + (count - fewest) / (most - fewest) * (LARGEST - SMALLEST) + 0.5)

    ranked = sorted(counts.items(), key=lambda item: (-item[1], locale_key(item[0])))
    return [{"text": tag, "size": size(count), "count": count, "url": tag_url(tag)} for tag, count in ranked]


def tag_url(tag):
    """/tag/<tag>/ with the tag encoded as JavaScript's encodeURIComponent encodes it."""
    return "/tag/" + quote(tag, safe="!*'()") + "/"


def locale_key(text):
    """Orders names as JavaScript's localeCompare does in the reference app (Unicode's root collation),
    closely enough for tags: letters before their accented forms and case, then accents, then
    lower case before upper case; spaces and punctuation before digits, digits before letters."""
    decomposed = unicodedata.normalize("NFD", text)
    base = "".join(char for char in decomposed if not unicodedata.combining(char))
    primary = tuple((char_class(char), char.casefold()) for char in base)
    accents = tuple(unicodedata.combining(char) for char in decomposed)
    case = tuple(char.isupper() for char in base)
    return primary, accents, case, text


# ASCII spaces, punctuation and symbols in the root collation's order; they all come before digits.
ASCII_MARKS = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def char_class(char):
    """Where a character sorts at first sight: marks (in their order), then digits, then letters."""
    mark = ASCII_MARKS.find(char)
    if mark >= 0:
        return 0, mark
    if char.isdigit():
        return 2, 0
    if char.isalpha():
        return 3, 0
    # Other marks: spaces and punctuation before symbols, after the ASCII ones.
    return 1, 0 if char.isspace() else 1 if unicodedata.category(char).startswith("P") else 2


def draw(words, orientation, width, height):
    """The words as SVG: placed on a spiral out from the centre, largest first, none overlapping;
    a word that finds no room is left out, as the reference app's layout leaves it out."""
    counts = sorted({word["count"] for word in words})
    angles = ANGLES[orientation]
    placed = []
    no_room = []  # boxes that found no spot: one at least as large in both ways finds none either
    parts = []
    for index, word in enumerate(words):
        angle = angles[index % len(angles)]
        box = word_box(word["text"], word["size"], angle)
        if any(box[0] >= w and box[1] >= h for w, h in no_room):
            continue
        spot = find_spot(box, placed, width, height)
        if spot is None:
            no_room.append(box)
            continue
        x, y = spot
        placed.append((x - box[0] / 2, y - box[1] / 2, x + box[0] / 2, y + box[1] / 2))
        turn = f" rotate({angle})" if angle else ""
        parts.append(
            f'<a href="{escape(word["url"])}"><title>{escape(word["text"])} ({word["count"]})</title>'
            f'<text transform="translate({x:.1f} {y:.1f}){turn}" y="{word["size"] * 0.35:.1f}" '
            f'font-size="{word["size"]}" text-anchor="middle" fill="{colour(word["count"], counts)}">'
            f"{escape(word['text'])}</text></a>"
        )
    return "".join(parts)


def word_box(text, size, angle):
    """Width and height of the word's bounding box, from typical sans-serif glyph widths."""
    advance = sum(glyph_width(char) for char in text) * size
    height = size * 1.1
    radians = math.radians(angle)
    cos, sin = abs(math.cos(radians)), abs(math.sin(radians))
    return advance * cos + height * sin + PADDING, advance * sin + height * cos + PADDING


def glyph_width(char):
    if char in "iljtf.,;:'!|() ":
        return 0.32
    if char in "mwMW":
        return 0.86
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    return 0.66 if char.isupper() else 0.56


def find_spot(box, placed, width, height):
    if box[0] > width or box[1] > height:
        return None  # larger than the canvas: no spot can hold it
    half_width, half_height = box[0] / 2, box[1] / 2
    for step in range(3000):
        theta = step * 0.1
        x = width / 2 + 2 * theta * math.cos(theta) * width / height
        y = height / 2 + 2 * theta * math.sin(theta)
        left, top, right, bottom = x - half_width, y - half_height, x + half_width, y + half_height
        if left < 0 or top < 0 or right > width or bottom > height:
            if 2 * theta > max(width, height):
                return None  # the spiral has left the canvas for good
            continue
        if not any(left < r and l < right and top < b and t < bottom for l, t, r, b in placed):
            return x, y
    return None


def colour(count, counts):
    """The reference app's colour: the count's quantile among the distinct counts, eased, along the stops."""
    quantile = counts.index(count) / (len(counts) - 1) if len(counts) > 1 else 1
    stops = (BLUE, GREEN, mix(GREEN, RED, 0.45), mix(GREEN, RED, 0.72), RED)
    position = quantile**EASING * (len(stops) - 1)
    low = min(int(position), len(stops) - 2)
    red, green, blue = mix(stops[low], stops[low + 1], position - low)
    return f"rgb({red},{green},{blue})"


def mix(start, end, share):
    return tuple(round(a + (b - a) * share) for a, b in zip(start, end, strict=True))


def escape(text):
    """HTML-escapes as the reference desktop app's templates do (Liquid's escape), byte for byte."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
    )
