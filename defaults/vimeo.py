"""
---
id: "8c5b419a-e96e-47a3-bffa-d0153394029f"
title: "Vimeo"
kind: "macro"
entrypoint: "render"
enabled: true
version: 3
createdAt: "2026-11-24T00:00:00.000Z"
updatedAt: "2026-12-02T00:00:00.000Z"
---
"""
# Embeds a Vimeo video: [[vimeo id=76979871 title="The New Vimeo Player"]]
# id: required, letters A-Z a-z, digits, _ and - (trimmed). title: default "Vimeo video".
# A missing or bad id returns a warning and no embed; it never raises.
import re

VIDEO_ID = re.compile(r"[A-Za-z0-9_-]+")

# Read by the editor (completion, hover), Try a macro and the preview's argument warnings; see docs/macros.md.
PARAMS = {
    "id": {"type": "str | int", "required": True, "doc": "The video id: digits 0-9"},
    "title": {"type": "str", "default": "Vimeo video", "doc": "The player's title, read by screen readers"},
}


def render(context):
    params = context["params"]
    if "id" not in params:
        return {"html": "", "warnings": ["vimeo: id is required"]}
    # str(): [[vimeo id=123456]] passes an int, [[vimeo id="123456"]] a str.
    video_id = str(params["id"]).strip()
    if not VIDEO_ID.fullmatch(video_id):
        return {"html": "", "warnings": ["vimeo: id must be letters A-Z a-z, digits 0-9, _ and -"]}
    title = str(params.get("title", "Vimeo video"))
    # Within a line of text a <div> would break its paragraph; an <iframe> may stand in a <span>.
    wrapper = "span" if context.get("placement") == "inline" else "div"
    return {
        "html": (
            f'<{wrapper} class="macro-vimeo">'
            f'<iframe src="https://player.vimeo.com/video/{escape(video_id)}" '
            f'title="{escape(title)}" frameborder="0" allow="autoplay; fullscreen; picture-in-picture" '
            f"allowfullscreen></iframe></{wrapper}>"
        ),
        "warnings": [],
    }


def escape(text):
    """HTML-escapes as the reference desktop app's templates do (Liquid's escape), byte for byte."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
    )
