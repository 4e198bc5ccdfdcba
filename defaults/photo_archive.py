"""
---
id: "c2a4e6f8-1b3d-4f5a-9c7e-0d2b4f6a8c1e"
title: "Photo Archive"
kind: "macro"
entrypoint: "render"
enabled: true
version: 2
createdAt: "2026-12-02T00:00:00.000Z"
updatedAt: "2026-12-02T00:00:00.000Z"
---
"""
# The project's images by month, newest first: [[photo_archive year=2026 month=2]]
# Also called as [[photo_album ...]], as in the reference app.
# year: 1000-9999, shows that year; month: 1-12, that month (of the year if given, else of every year).
# Without a year, the 10 newest months. A bad value warns and is left out; it never raises.
import html

from pymark import site

EMPTY = "No photos found for this archive."
RECENT_MONTHS = 10
PARAMS = {
    "year": {"type": "int", "doc": "Show the images of this year (1000-9999); without it, the 10 newest months"},
    "month": {"type": "int", "doc": "Show this month, 1 to 12 (of the year, if given)"},
}
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def render(context):
    params = context["params"]
    name = context["macro"]
    warnings = [f"{name}: unknown parameter {key}; ignored" for key in params if key not in ("year", "month")]
    year = pick(params, "year", 1000, 9999, f"{name}: year must be a 4-digit year (e.g. 2024); ignored", warnings)
    month = pick(params, "month", 1, 12, f"{name}: month must be a number from 1 to 12; ignored", warnings)

    buckets = {}
    for item in site.media:
        if not item["mime_type"].startswith("image/"):
            continue
        item_year, item_month = int(item["created_at"][:4]), int(item["created_at"][5:7])
        if (year is None or item_year == year) and (month is None or item_month == month):
            buckets.setdefault((item_year, item_month), []).append(item)
    months = sorted(buckets, reverse=True)
    if year is None:
        months = months[:RECENT_MONTHS]

    if year is None:
        mode, data = "photo-archive-recent-months", f'data-recent="{RECENT_MONTHS}"'
    elif month is None:
        mode, data = "photo-archive-full-year", f'data-year="{year}"'
    else:
        mode, data = "photo-archive-single-month", f'data-year="{year}" data-month="{month}"'

    if months:
        inner = "".join(month_block(key, buckets[key]) for key in months)
    else:
        warnings.append(f"{name}: no images match; import some in Media")
        inner = f'<div class="photo-archive-empty">{EMPTY}</div>'
    return {
        "html": f'<div class="macro-photo-archive {mode}" {data}><div class="photo-archive-container">{inner}</div></div>',
        "warnings": warnings,
    }


def month_block(key, items):
    year, month = key
    group = f"photo-archive-{year:04d}-{month:02d}"
    images = sorted(items, key=lambda item: (item["created_at"], item["file_name"]), reverse=True)
    return (
        '<div class="photo-archive-month-wrapper"><div class="photo-archive-month">'
        f'<div class="photo-archive-month-label"><span>{MONTHS[month - 1]} {year}</span></div>'
        f'<div class="photo-archive-gallery">{"".join(archive_item(item, group) for item in images)}</div>'
        "</div></div>"
    )


def archive_item(item, group):
    url = html.escape(item["url"])
    title = item["caption"] or item["title"] or item["file_name"]
    alt = item["alt"] or item["title"] or item["file_name"]
    return (
        f'<a class="photo-archive-item" href="{url}" data-lightbox="{group}" data-title="{html.escape(title)}">'
        f'<img src="{url}" alt="{html.escape(alt)}" loading="lazy"{srcset(item)} '
        f'width="{item["width"]}" height="{item["height"]}" /></a>'
    )


def srcset(item):
    if not item["thumbnails"]:
        return ""
    sources = [f'{thumb["url"]} {thumb["width"]}w' for thumb in item["thumbnails"]]
    sources.append(f'{item["url"]} {item["width"]}w')
    return f' srcset="{html.escape(", ".join(sources))}" sizes="(max-width: 600px) 50vw, 25vw"'


def pick(params, name, low, high, warning, warnings):
    """The param as an int within bounds; a str of digits counts (the reference app passes strs)."""
    if name not in params:
        return None
    value = params[name]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    warnings.append(warning)
    return None
