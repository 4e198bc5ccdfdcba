"""The read-only project data every script reads through `from pymark import site`.

The worker calls install_site_module(snapshot_json) with the JSON text of a SiteSnapshot
(src/core/abi.ts) before it runs macros, transforms or utilities, and apply_site_changes with only
what changed after that. A script should read `site` when it runs, not copy its data at import: a
macro's module is compiled once. docs/python-api.md is the prose of this module.
"""

import json
import sys
import types
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from _pymark_wire import SiteChanges, SiteSnapshot

_EMPTY: Mapping[str, Any] = types.MappingProxyType({})


# What the running call read of the site data, as parts (docs/abi-v1.md, "What a call read"): the
# keys it read of any post (`_read_keys`: "posts.<key>"), and the other parts (`_read_parts`: "posts",
# "media", "settings"). macro_engine.py forgets them before each call and takes them after it, so the
# page reuses a result until one of those parts changes: an autosave, which changes the post's
# `updated_at`, does not re-run a tag cloud, which read only tags and statuses.
_read_keys: set[object] = set()
_read_parts: set[str] = set()
_NOTHING: frozenset[str] = frozenset()


def forget_reads() -> None:
    """Starts a new call's notes of what it read of the site data."""
    _read_keys.clear()
    _read_parts.clear()


def site_reads() -> frozenset[str]:
    """The parts of the site data read since `forget_reads`."""
    if not _read_keys:
        return frozenset(_read_parts) if _read_parts else _NOTHING
    return frozenset(_read_parts).union("posts." + key for key in post_keys_among(_read_keys))


def post_keys_among(looked_up: Iterable[object]) -> Iterator[str]:
    """The keys a call looked up in a post (the site's or its own) that could have found something: a
    post's keys are str, a look-up of anything else found nothing. `str.__str__` gives a str
    subclass's own text, whatever its `__str__` says."""
    return (str.__str__(key) for key in looked_up if isinstance(key, str))


class Site:
    """A view over one snapshot; nothing reachable from it can change the snapshot.

    Each way in notes the parts of the data it reads (`_read_parts`, `_read_keys` above; a post's own
    keys are noted by `SitePost`), so the page can tell which calls a change of the data concerns.
    In the app's worker it holds no drafts while macros run: the worker adds them for utilities and
    transforms only (src/runtime/python-site.ts), so a macro sees what the built site shows.
    """

    __slots__ = ("_posts", "_media", "_settings", "_by_key")

    def __init__(self):
        self._posts: tuple[SitePost, ...] = ()
        self._media: tuple[Mapping[str, Any], ...] = ()
        self._settings: Mapping[str, Any] = _EMPTY
        self._by_key: dict[object, SitePost] | None = None

    @property
    def posts(self):
        """Every post, as a tuple of read-only `SitePost` mappings (lists become tuples); no draft for a macro.

        Keys are those of the ABI's Post: id, title, slug, status, tags, categories, the optional
        created_at, updated_at, published_at and front_matter, body (the saved Markdown), and any
        further fields.
        """
        _read_parts.add("posts")
        return self._posts

    @property
    def published_posts(self):
        """The posts whose status is "published", in the order of `posts`."""
        _read_parts.add("posts")
        _read_keys.add("status")
        return tuple(post for post in self._posts if post["status"] == "published")

    def post(self, id_or_slug):
        """The post with this id or slug, or None."""
        _read_keys.update(("id", "slug"))
        return self._look_up(id_or_slug)

    def _look_up(self, id_or_slug):
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
        _read_parts.add("media")
        return self._media

    @property
    def settings(self):
        """The site's settings (title, language, base URL… as the app knows them), read-only."""
        _read_parts.add("settings")
        return self._settings

    def tag_counts(self, published_only=True):
        """How many posts carry each tag, as a new dict in order of first appearance.

        Tags are trimmed and empty ones dropped; a post naming a tag twice counts once.
        """
        return _counts(self._posts, "tags", published_only)

    def category_counts(self, published_only=True):
        """How many posts are in each category, counted as tag_counts counts tags."""
        return _counts(self._posts, "categories", published_only)


class SitePost(Mapping[str, Any]):
    """A post of the site data: a read-only mapping that notes which of its keys are read.

    An edit changes the site data, but only the calls that read what changed need to run again: a
    body edit or an autosave (a new `updated_at`) does not re-run a tag cloud. Every way to a value
    goes through `__getitem__` (get, values, items, dict(post), ==) or `__contains__`; every way to
    which keys the post has (iterating, len, keys) notes "posts", which the page names by each post's keys.
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, Any]):
        self._fields = fields

    def __getitem__(self, key: str) -> Any:
        _read_keys.add(key)
        return self._fields[key]

    def __iter__(self):
        _read_parts.add("posts")
        return iter(self._fields)

    def __len__(self) -> int:
        _read_parts.add("posts")
        return len(self._fields)

    def __contains__(self, key: object) -> bool:
        _read_keys.add(key)
        return key in self._fields

    def __repr__(self) -> str:
        return repr(dict(self))


def _counts(posts, field, published_only):
    counts: dict[str, int] = {}
    _read_keys.add(field)
    if published_only:
        _read_keys.add("status")
    # Past SitePost's lookup, noted above: a tag cloud counts every post's tags.
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


def saved_body(post_id: object) -> str:
    """The saved body of the post with this id in the site data ("" if it has none), noting no read:
    the reference layer copies it into a call's post as `content`, and notes it only when the macro
    reads that (`CONTENT_READS`)."""
    saved = current_site()._look_up(post_id)
    return "" if saved is None else saved._fields.get("body", "")


# What reading a post's `content` reads of the site data: the post looked up by id, and its body.
CONTENT_READS = frozenset(("posts.id", "posts.slug", "posts.body"))


# The posts by id, as `SitePost`s, and their order: what site changes apply to.
_posts_by_id: dict[str, SitePost] = {}
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
