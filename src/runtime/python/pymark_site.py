"""The read-only project data every script reads through `from pymark import site`.

The worker calls install_site_module(snapshot_json) with the JSON text of a SiteSnapshot
(src/core/abi.ts) before it runs macros, transforms or utilities, and again whenever the project
data changes. A script should read `site` when it runs, not copy its data at import: a macro's
module is compiled once. docs/python-api.md is the prose of this module.
"""

import json
import sys
import types


class Site:
    """A view over one snapshot; nothing reachable from it can change the snapshot."""

    __slots__ = ("_posts", "_media", "_settings", "_by_key")

    def __init__(self, posts, media, settings):
        self._posts = posts
        self._media = media
        self._settings = settings
        self._by_key = None

    @property
    def posts(self):
        """Every post, drafts included, as a tuple of read-only mappings (lists become tuples).

        Keys are those of the ABI's Post: id, title, slug, status, tags, categories, the optional
        created_at, updated_at, published_at and front_matter, body (the saved Markdown), and any
        further fields.
        """
        return self._posts

    @property
    def published_posts(self):
        """The posts whose status is "published", in the order of `posts`."""
        return tuple(post for post in self._posts if post["status"] == "published")

    def post(self, id_or_slug):
        """The post with this id or slug, or None."""
        if self._by_key is None:
            # Built on first use per snapshot: a macro may look its post up on every call.
            by_key = {post["slug"]: post for post in self._posts}
            by_key.update((post["id"], post) for post in self._posts)
            self._by_key = by_key
        return self._by_key.get(id_or_slug)

    @property
    def media(self):
        """Metadata of the project's media files, as read-only mappings; empty until the app keeps media."""
        return self._media

    @property
    def settings(self):
        """The site's settings (title, language, base URL… as the app knows them), read-only."""
        return self._settings

    def tag_counts(self, published_only=True):
        """How many posts carry each tag, as a new dict in order of first appearance.

        Tags are trimmed and empty ones dropped; a post naming a tag twice counts once.
        """
        return _counts(self._posts, "tags", published_only)

    def category_counts(self, published_only=True):
        """How many posts are in each category, counted as tag_counts counts tags."""
        return _counts(self._posts, "categories", published_only)


def _counts(posts, field, published_only):
    counts = {}
    for post in posts:
        if published_only and post["status"] != "published":
            continue
        # dict.fromkeys, not set: it removes repeats and keeps the order deterministic.
        for name in dict.fromkeys(name.strip() for name in post[field]):
            if name:
                counts[name] = counts.get(name, 0) + 1
    return counts


_EMPTY = types.MappingProxyType({})


def _pymark_module():
    """The `pymark` module, created the first time: importable by every kind of script from boot on."""
    module = sys.modules.get("pymark")
    if not isinstance(getattr(module, "site", None), Site):
        module = types.ModuleType("pymark", "Pymark's read-only view of the project (docs/python-api.md).")
        module.site = Site((), (), _EMPTY)
        sys.modules["pymark"] = module
    return module


def install_site_module(snapshot_json):
    """Points `pymark.site` at the given snapshot.

    The module and its `site` stay the same objects from then on: macro modules are cached, and one
    that ran `from pymark import site` at import time must see the new data on its next call.
    """
    snapshot = _read_only(json.loads(snapshot_json))
    site = _pymark_module().site
    site._posts = snapshot["posts"]
    site._media = snapshot.get("media", ())
    site._settings = snapshot.get("settings", _EMPTY)
    site._by_key = None


def current_site():
    """The `site` scripts see; for Pymark's own modules (bds_api, the reference layer)."""
    return _pymark_module().site


def _read_only(value):
    if isinstance(value, dict):
        return types.MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_read_only(item) for item in value)
    return value


_pymark_module()
