"""
---
id: "1174be52-4288-4823-bfaa-5a77207e3cf9"
title: "Tag Cloud"
kind: "macro"
entrypoint: "render"
enabled: true
version: 2
createdAt: "2026-11-24T00:00:00.000Z"
updatedAt: "2026-11-24T00:00:00.000Z"
---
"""
# A cloud of the tags of published posts: [[tag_cloud orientation="mixed-hv" width=1200 height=500]]
# orientation: horizontal (default), mixed-hv or mixed-diagonal, aliases below, any case.
# width: 320-1600 (default 900). height: 180-900 (default 420). A bad value warns and uses the default.
# The page's tag cloud script draws the words from data-tag-cloud-words into the <svg>.
import html
import json
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
SMALLEST, LARGEST, EQUAL = 14, 56, 35

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
    words_json = json.dumps(words, ensure_ascii=False, separators=(",", ":"))
    return {
        "html": (
            f'<div class="macro-tag-cloud" data-tag-cloud="true" data-orientation="{html.escape(orientation)}" '
            'data-color-distribution="quantile" data-color-easing="0.7" data-color-theme="pico" '
            f'data-tag-cloud-words="{html.escape(words_json)}" data-width="{width}" data-height="{height}">'
            f'<svg class="tag-cloud-canvas" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
            'aria-label="Tag cloud"></svg></div>'
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
    # bool is a subclass of int in Python, but width=true is no size.
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    warnings.append(f"tag_cloud: {name} must be a whole number from {low} to {high}; using {default}")
    return default


def cloud_words(counts):
    """The words to draw, most used first, then by name; sized from 14 to 56 by count."""
    if not counts:
        return []
    fewest, most = min(counts.values()), max(counts.values())

    def size(count):
        if most == fewest:
            return EQUAL
        # Python's round() (half to even), as the reference desktop app computes it.
        return round(SMALLEST + (count - fewest) / (most - fewest) * (LARGEST - SMALLEST))

    return [
        {"text": tag, "size": size(count), "count": count, "url": f"/tag/{quote(tag, safe='')}/"}
        for tag, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
