"""The read-only project data every script reads through `from pymark import site`.

The worker calls install_site_module(snapshot_json) with the JSON text of a SiteSnapshot
(src/core/abi.ts) before it runs macros, transforms or utilities, and apply_site_changes with only
what changed after that. A script should read `site` when it runs, not copy its data at import: a
macro's module is compiled once. docs/python-api.md is the prose of this module.
"""

import json
import sys
import types
from collections.abc import Mapping
from typing import Any, cast

from _pymark_wire import SiteChanges, SiteSnapshot

_EMPTY: Mapping[str, Any] = types.MappingProxyType({})


class Site:
    """A view over one snapshot; nothing reachable from it can change the snapshot.

    It notes that it was read, and apart from that whether a post's body was (`read_bodies`, noted
    by `SitePost`), so the page can tell the calls that depend on the site data, or on its bodies,
    from the ones that do not (macro_engine.py takes the notes after each call). In the app's worker
    it holds no drafts while macros run: the worker adds them for utilities and transforms only
    (src/runtime/python-site.ts), so a macro sees what the built site shows.
    """

    __slots__ = ("_posts", "_media", "_settings", "_by_key", "read", "read_bodies")

    def __init__(self):
        self._posts: tuple[Mapping[str, Any], ...] = ()
        self._media: tuple[Mapping[str, Any], ...] = ()
        self._settings: Mapping[str, Any] = _EMPTY
        self._by_key: dict[object, Mapping[str, Any]] | None = None
        self.read = False
        self.read_bodies = False

    @property
    def posts(self):
        """Every post, as a tuple of read-only `SitePost` mappings (lists become tuples); no draft for a macro.

        Keys are those of the ABI's Post: id, title, slug, status, tags, categories, the optional
        created_at, updated_at, published_at and front_matter, body (the saved Markdown), and any
        further fields.
        """
        self.read = True
        return self._posts

    @property
    def published_posts(self):
        """The posts whose status is "published", in the order of `posts`."""
        self.read = True
        return tuple(post for post in self._posts if post["status"] == "published")

    def post(self, id_or_slug):
        """The post with this id or slug, or None."""
        self.read = True
        if self._by_key is None:
            # Built on first use per snapshot: a macro may look its post up on every call.
            by_key = {post["slug"]: post for post in self._posts}
            by_key.update((post["id"], post) for post in self._posts)
            self._by_key = by_key
        return self._by_key.get(id_or_slug)

    @property
    def media(self):
        """Every image of the project, newest first, as a tuple of read-only mappings; never the bytes.

        Keys are those of the ABI's Media: id, file_name, mime_type, size, width, height, created_at,
        title, alt, caption, linked_post_ids, url and thumbnails ({width, url}, narrowest first).
        """
        self.read = True
        return self._media

    @property
    def settings(self):
        """The site's settings (title, language, base URL… as the app knows them), read-only."""
        self.read = True
        return self._settings

    def tag_counts(self, published_only=True):
        """How many posts carry each tag, as a new dict in order of first appearance.

        Tags are trimmed and empty ones dropped; a post naming a tag twice counts once.
        """
        self.read = True
        return _counts(self._posts, "tags", published_only)

    def category_counts(self, published_only=True):
        """How many posts are in each category, counted as tag_counts counts tags."""
        self.read = True
        return _counts(self._posts, "categories", published_only)


class SitePost(Mapping[str, Any]):
    """A post of the site data: a read-only mapping that notes on the site when its body is read.

    A body edit changes the site data, but only the calls that read some post's body need to run
    again for it (a tag cloud does not): the page keys the others by the data without bodies. Every
    way to the body goes through `__getitem__` (get, values, items, dict(post), ==) or notes it itself.
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, Any]):
        self._fields = fields

    def __getitem__(self, key: str) -> Any:
        if key == "body":
            current_site().read_bodies = True
        return self._fields[key]

    def __iter__(self):
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def __repr__(self) -> str:
        return repr(dict(self))


def _counts(posts, field, published_only):
    counts: dict[str, int] = {}
    # Past SitePost's lookup: no body is read here, and a tag cloud counts every post's tags.
    for post in (post._fields for post in posts):
        if published_only and post["status"] != "published":
            continue
        # dict.fromkeys, not set: it removes repeats and keeps the order deterministic.
        for name in dict.fromkeys(name.strip() for name in post[field]):
            if name:
                counts[name] = counts.get(name, 0) + 1
    return counts


def pymark_module() -> types.ModuleType:
    """The `pymark` module, created the first time: importable by every kind of script from boot on.

    The module and its `site` stay the same objects from then on: macro modules are cached, and one
    that ran `from pymark import site` at import time must see new data on its next call.
    """
    module = sys.modules.get("pymark")
    if module is None or not isinstance(getattr(module, "site", None), Site):
        module = types.ModuleType("pymark", "Pymark's read-only view of the project (docs/python-api.md).")
        module.site = Site()  # type: ignore[attr-defined]
        sys.modules["pymark"] = module
    return module


def current_site() -> Site:
    """The `site` scripts see; for Pymark's own modules (the macro engine, bds_api, the reference layer)."""
    return pymark_module().site  # type: ignore[no-any-return]


# The posts by id, as `SitePost`s, and their order: what site changes apply to.
_posts_by_id: dict[str, Mapping[str, Any]] = {}
_order: list[str] = []


def install_site_module(snapshot_json: str) -> None:
    """Points `pymark.site` at the given snapshot (the JSON text of a SiteSnapshot)."""
    snapshot: SiteSnapshot = json.loads(snapshot_json)
    site = current_site()
    site._media = cast(tuple[Mapping[str, Any], ...], _read_only(snapshot.get("media", [])))
    site._settings = cast(Mapping[str, Any], _read_only(snapshot.get("settings", {})))
    _posts_by_id.clear()
    _apply({"upsert": snapshot["posts"], "remove": [], "order": [str(post["id"]) for post in snapshot["posts"]]})


def apply_site_changes(changes_json: str) -> None:
    """Applies the JSON text of `SiteChanges` to the snapshot the site was last given."""
    _apply(json.loads(changes_json))


def _apply(changes: SiteChanges) -> None:
    for post_id in changes["remove"]:
        _posts_by_id.pop(post_id, None)
    for post in changes["upsert"]:
        _posts_by_id[str(post["id"])] = SitePost(_read_only(post))
    if changes["order"] is not None:
        _order[:] = changes["order"]
    site = current_site()
    site._posts = tuple(_posts_by_id[post_id] for post_id in _order if post_id in _posts_by_id)
    site._by_key = None


def _read_only(value: Any) -> Any:
    if isinstance(value, dict):
        return types.MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_read_only(item) for item in value)
    return value


pymark_module()
