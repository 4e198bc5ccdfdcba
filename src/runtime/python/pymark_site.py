"""The read-only project data macros read through `from pymark import site`.

The worker calls install_site_module(snapshot_json) with the JSON text of a SiteSnapshot
(src/core/abi.ts) before it runs macros, and again whenever the project data changes. A macro
should read `site` when it renders, not copy its data at import: its module is compiled once.
"""

import json
import sys
import types

from _pymark_wire import SiteChanges, SiteSnapshot


class Site:
    """A view over one snapshot; nothing reachable from it can change the snapshot.

    It notes that it was read, so the page can tell the calls that depend on the site data from the
    ones that do not (macro_engine.py takes the note after each call).
    """

    __slots__ = ("_posts", "read")

    def __init__(self, posts):
        self._posts = posts
        self.read = False

    @property
    def posts(self):
        """Every post, drafts included, as a tuple of read-only mappings (lists become tuples).

        Keys are those of the ABI's Post: id, title, slug, status, tags, categories, the optional
        created_at, updated_at, published_at and front_matter, and any further fields.
        """
        self.read = True
        return self._posts

    def tag_counts(self, published_only=True):
        """How many posts carry each tag, as a new dict in order of first appearance.

        Tags are trimmed and empty ones dropped; a post naming a tag twice counts once.
        """
        self.read = True
        counts = {}
        for post in self._posts:
            if published_only and post["status"] != "published":
                continue
            # dict.fromkeys, not set: it removes repeats and keeps the order deterministic.
            for tag in dict.fromkeys(tag.strip() for tag in post["tags"]):
                if tag:
                    counts[tag] = counts.get(tag, 0) + 1
        return counts


# The posts by id, as read-only mappings, and their order: what site changes apply to.
_posts_by_id: dict[str, object] = {}
_order: list[str] = []


def site() -> Site:
    """The `site` of the `pymark` module, creating the module the first time.

    The module and its `site` stay the same objects from then on: macro modules are cached, and one
    that ran `from pymark import site` at import time must see new data on its next call.
    """
    module = sys.modules.get("pymark")
    current = getattr(module, "site", None)
    if isinstance(current, Site):
        return current
    module = types.ModuleType("pymark", "Pymark's read-only view of the project, for macros.")
    created = Site(())
    setattr(module, "site", created)
    sys.modules["pymark"] = module
    return created


def install_site_module(snapshot_json: str) -> None:
    """Points `pymark.site` at the given snapshot (the JSON text of a SiteSnapshot)."""
    snapshot: SiteSnapshot = json.loads(snapshot_json)
    _posts_by_id.clear()
    _apply({"upsert": snapshot["posts"], "remove": [], "order": [str(post["id"]) for post in snapshot["posts"]]})


def apply_site_changes(changes_json: str) -> None:
    """Applies the JSON text of `SiteChanges` to the snapshot the site was last given."""
    _apply(json.loads(changes_json))


def _apply(changes: SiteChanges) -> None:
    for post_id in changes["remove"]:
        _posts_by_id.pop(post_id, None)
    for post in changes["upsert"]:
        _posts_by_id[str(post["id"])] = _read_only(post)
    if changes["order"] is not None:
        _order[:] = changes["order"]
    site()._posts = tuple(_posts_by_id[post_id] for post_id in _order if post_id in _posts_by_id)


def _read_only(value):
    if isinstance(value, dict):
        return types.MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_read_only(item) for item in value)
    return value
