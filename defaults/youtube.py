"""
---
id: "590c0b6c-06d6-46e5-8009-1b6d0b38f481"
title: "YouTube"
kind: "macro"
entrypoint: "render"
enabled: true
version: 3
createdAt: "2026-11-24T00:00:00.000Z"
updatedAt: "2026-12-02T00:00:00.000Z"
---
"""
# Embeds a YouTube video: [[youtube id="dQw4w9WgXcQ" title="Never Gonna Give You Up" start=43]]
# id: required, letters A-Z a-z, digits, _ and - (trimmed). title: default "YouTube video".
# start: optional, whole seconds. A problem returns a warning (and no embed for a bad id); it never raises.
import re

VIDEO_ID = re.compile(r"[A-Za-z0-9_-]+")
ALLOW = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture"

# Read by the editor (completion, hover), Try a macro and the preview's argument warnings; see docs/macros.md.
PARAMS = {
    "id": {"type": "str | int", "required": True, "doc": "The video id: 11 characters of A-Z a-z 0-9 _ -"},
    "title": {"type": "str", "default": "YouTube video", "doc": "The player's title, read by screen readers"},
    "start": {"type": "int", "doc": "Start this many whole seconds in"},
}


def render(context):
    params = context["params"]
    if "id" not in params:
        return {"html": "", "warnings": ["youtube: id is required"]}
    # str(): an unquoted id made only of digits arrives as an int.
    video_id = str(params["id"]).strip()
    if not VIDEO_ID.fullmatch(video_id):
        return {"html": "", "warnings": ["youtube: id must be letters A-Z a-z, digits 0-9, _ and -"]}
    title = str(params.get("title", "YouTube video"))
    start, warnings = start_query(params.get("start"))
    # Within a line of text a <div> would break its paragraph; an <iframe> may stand in a <span>.
    wrapper = "span" if context.get("placement") == "inline" else "div"
    return {
        "html": (
            f'<{wrapper} class="macro-youtube">'
            f'<iframe src="https://www.youtube.com/embed/{escape(video_id)}?rel=0{start}" '
            f'title="{escape(title)}" frameborder="0" allow="{ALLOW}" allowfullscreen></iframe>'
            f"</{wrapper}>"
        ),
        "warnings": warnings,
    }


def start_query(start):
    """The `&start=N` suffix of the embed URL, and the warnings about `start`."""
    if start is None:
        return "", []
    # bool is a subclass of int in Python, but start=true means nothing here.
    if isinstance(start, int) and not isinstance(start, bool) and start >= 0:
        return f"&start={start}", []
    return "", ["youtube: start must be a whole number of seconds, 0 or more; ignored"]


def escape(text):
    """HTML-escapes as the reference desktop app's templates do (Liquid's escape), byte for byte."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
    )
