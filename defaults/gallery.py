"""
---
id: "8f3d2a61-5c7e-4b19-9e0a-3d6f1b2c4a57"
title: "Gallery"
kind: "macro"
entrypoint: "render"
enabled: true
version: 2
createdAt: "2026-12-02T00:00:00.000Z"
updatedAt: "2026-12-02T00:00:00.000Z"
---
"""
# A grid of the images linked to this post (inserted into it), newest first:
# [[gallery columns=3 caption="Our trip" lightbox=true]]
# columns: 1-6 (default 3). caption: shown under the grid. lightbox: true (default) or false.
# link: accepted and ignored, as in the reference app. A bad value warns and uses the default.
import html

EMPTY = "No linked images found."
LEGACY_PARAMS = {"link"}
KNOWN_PARAMS = {"columns", "caption", "lightbox"} | LEGACY_PARAMS
PARAMS = {
    "columns": {"type": "int", "default": 3, "values": [1, 2, 3, 4, 5, 6], "doc": "Images per row, 1 to 6"},
    "caption": {"type": "str", "doc": "Shown under the grid"},
    "lightbox": {"type": "bool", "default": True, "doc": "Open an image large when it is clicked"},
    "link": {"type": "str", "doc": "Accepted and ignored, as in the reference app"},
}


def render(context):
    params = context["params"]
    post = context["post"]
    warnings = [f"gallery: unknown parameter {name}; ignored" for name in params if name not in KNOWN_PARAMS]
    columns = pick_columns(params.get("columns", 3), warnings)
    lightbox = pick_flag(params, "lightbox", True, warnings)
    caption = str(params.get("caption", ""))
    images = newest_first(item for item in post.get("media", ()) if item["mime_type"].startswith("image/"))
    post_id = str(post.get("id") or "")
    group = f"gallery-{post_id}" if post_id else "gallery-post"

    if images:
        inner = "".join(gallery_item(item, group if lightbox else None, columns) for item in images)
    else:
        warnings.append("gallery: no images are linked to this post; insert one from Media to link it")
        inner = f'<div class="gallery-empty">{EMPTY}</div>'
    container_class = "gallery-container gallery-lightbox" if lightbox else "gallery-container"
    figcaption = f'<figcaption class="gallery-caption">{html.escape(caption)}</figcaption>' if caption else ""
    return {
        "html": (
            f'<div class="macro-gallery gallery-cols-{columns}" data-post-id="{html.escape(post_id)}" '
            f'data-columns="{columns}" data-lightbox="{"true" if lightbox else "false"}">'
            f'<div class="{container_class}">{inner}</div>{figcaption}</div>'
        ),
        "warnings": warnings,
    }


def gallery_item(item, group, columns):
    url = html.escape(item["url"])
    lightbox = f' data-lightbox="{html.escape(group)}"' if group else ""
    return (
        f'<a class="gallery-item" href="{url}"{lightbox} data-title="{html.escape(item_title(item))}">'
        f'<img src="{url}" alt="{html.escape(item_alt(item))}" loading="lazy"{srcset(item, columns)} '
        f'width="{item["width"]}" height="{item["height"]}" /></a>'
    )


def srcset(item, columns):
    """The thumbnails and the image itself by width; a cell is about 1/columns of the page wide."""
    if not item["thumbnails"]:
        return ""
    sources = [f'{thumb["url"]} {thumb["width"]}w' for thumb in item["thumbnails"]]
    sources.append(f'{item["url"]} {item["width"]}w')
    sizes = "100vw" if columns == 1 else f"(max-width: 600px) 100vw, {round(100 / columns)}vw"
    return f' srcset="{html.escape(", ".join(sources))}" sizes="{sizes}"'


def item_title(item):
    return item["caption"] or item["title"] or item["file_name"]


def item_alt(item):
    return item["alt"] or item["title"] or item["file_name"]


def newest_first(items):
    return sorted(items, key=lambda item: (item["created_at"], item["file_name"]), reverse=True)


def pick_columns(value, warnings):
    number = whole_number(value)
    if number is not None and 1 <= number <= 6:
        return number
    warnings.append("gallery: columns must be a whole number from 1 to 6; using 3")
    return 3


def pick_flag(params, name, default, warnings):
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    warnings.append(f"gallery: {name} must be true or false; using {str(default).lower()}")
    return default


def whole_number(value):
    """An int, or a str of digits (every value is a str in the reference app); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
