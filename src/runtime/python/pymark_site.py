"""The read-only project data macros read through `from pymark import site`.

The worker calls install_site_module(snapshot_json) with the JSON text of a SiteSnapshot
(src/core/abi.ts) before it runs macros, and again whenever the project data changes. A macro
should read `site` when it renders, not copy its data at import: its module is compiled once.
"""

import json
import sys
import types


class Site:
    """A view over one snapshot; nothing reachable from it can change the snapshot."""

    __slots__ = ("_posts", "_media")

    def __init__(self, posts, media=()):
        self._posts = posts
        self._media = media

    @property
    def posts(self):
        """Every post, drafts included, as a tuple of read-only mappings (lists become tuples).

        Keys are those of the ABI's Post: id, title, slug, status, tags, categories, the optional
        created_at, updated_at, published_at and front_matter, and any further fields.
        """
        return self._posts

    @property
    def media(self):
        """Every image of the project, newest first, as a tuple of read-only mappings; never the bytes.

        Keys are those of the ABI's Media: id, file_name, mime_type, size, width, height, created_at,
        title, alt, caption, linked_post_ids, url and thumbnails ({width, url}, narrowest first).
        """
        return self._media

    def tag_counts(self, published_only=True):
        """How many posts carry each tag, as a new dict in order of first appearance.

        Tags are trimmed and empty ones dropped; a post naming a tag twice counts once.
        """
        counts = {}
        for post in self._posts:
            if published_only and post["status"] != "published":
                continue
            # dict.fromkeys, not set: it removes repeats and keeps the order deterministic.
            for tag in dict.fromkeys(tag.strip() for tag in post["tags"]):
                if tag:
                    counts[tag] = counts.get(tag, 0) + 1
        return counts


def install_site_module(snapshot_json):
    """Points `pymark.site` at the given snapshot, creating the `pymark` module the first time.

    The module and its `site` stay the same objects from then on: macro modules are cached, and one
    that ran `from pymark import site` at import time must see the new data on its next call.
    """
    snapshot = _read_only(json.loads(snapshot_json))
    posts = snapshot["posts"]
    media = snapshot.get("media", ())
    module = sys.modules.get("pymark")
    if not isinstance(getattr(module, "site", None), Site):
        module = types.ModuleType("pymark", "Pymark's read-only view of the project, for macros.")
        module.site = Site(())
        sys.modules["pymark"] = module
    module.site._posts = posts
    module.site._media = media


def _read_only(value):
    if isinstance(value, dict):
        return types.MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_read_only(item) for item in value)
    return value
