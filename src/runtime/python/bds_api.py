"""`from bds_api import bds`: the read-only part of the reference desktop app's Python API.

A thin layer over `pymark.site` (docs/compatibility.md lists what it covers). Methods are
`async def`, as the reference app generates them, and finish at once, so an `async def render` that
awaits them runs in Pymark's synchronous worker. Anything else the reference API has raises
NotImplementedError naming the call: Pymark scripts never reach storage, the network or the app.
"""

import re

from typing import cast

from _pymark_reference import reference_post
from _pymark_site import current_site

# The namespaces of the reference API (contract 1.11.0); only the ones below are read here.
REFERENCE_NAMESPACES = (
    "projects",
    "posts",
    "media",
    "scripts",
    "templates",
    "tasks",
    "app",
    "meta",
    "tags",
    "chat",
    "sync",
    "publish",
)


def _not_available(call):
    def refuse(*_args, **_kwargs):
        raise NotImplementedError(
            f"bds.{call}() is not available in Pymark: its bds_api is read-only and covers "
            "posts, tags, media and meta lookups (docs/compatibility.md); use `from pymark import site`"
        )

    refuse.__name__ = call.rsplit(".", 1)[-1]
    return refuse


class _Namespace:
    """A namespace of the reference API; a method Pymark lacks raises when called, naming itself."""

    _name = ""

    def __getattr__(self, method):
        if method.startswith("__"):
            raise AttributeError(method)
        return _not_available(f"{self._name}.{method}")


def _camel(key):
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), key)


def _plain(value):
    """Snapshot data (read-only mappings, tuples) as the plain dicts and lists the reference returns."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return {_camel(key): _plain(item) for key, item in value.items()}


def _by_count(counts):
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"id": name, "name": name, "count": count} for name, count in ranked]


class PostsApi(_Namespace):
    _name = "posts"

    async def get(self, post_id):
        """The post with this id (or slug), or None."""
        post = current_site().post(post_id)
        return None if post is None else reference_post(post)

    async def get_all(self, options=None):
        """Every post, drafts included except for macros (docs/compatibility.md), newest first; `options`
        may hold "status", "limit", "offset"."""
        options = options or {}
        posts = sorted(current_site().posts, key=lambda post: post.get("created_at") or "", reverse=True)
        if options.get("status"):
            posts = [post for post in posts if post["status"] == options["status"]]
        offset = int(options.get("offset") or 0)
        limit = options.get("limit")
        chosen = posts[offset:] if limit is None else posts[offset : offset + int(limit)]
        return [reference_post(post) for post in chosen]

    async def search(self, query):
        """Posts whose title, body or tags contain `query`, case-insensitively."""
        needle = str(query).casefold()
        return [
            reference_post(post)
            for post in current_site().posts
            if needle in post["title"].casefold()
            or needle in post.get("body", "").casefold()
            or any(needle in tag.casefold() for tag in post["tags"])
        ]

    async def get_tags_with_counts(self):
        """Tags of published posts with how many posts carry each, most used first."""
        return _by_count(current_site().tag_counts())


class TagsApi(_Namespace):
    _name = "tags"

    async def get_all(self):
        """Every tag of any post, drafts included except for macros, by name."""
        return [{"id": name, "name": name} for name in sorted(current_site().tag_counts(published_only=False))]

    async def get_with_counts(self):
        """Tags of published posts with their counts, most used first."""
        return _by_count(current_site().tag_counts())

    async def get(self, tag_id):
        return await self.get_by_name(tag_id)

    async def get_by_name(self, name):
        counts = current_site().tag_counts(published_only=False)
        return {"id": name, "name": name} if name in counts else None

    async def get_posts_with_tag(self, tag):
        return [reference_post(post) for post in current_site().posts if tag in (t.strip() for t in post["tags"])]


class MediaApi(_Namespace):
    _name = "media"

    async def get(self, media_id):
        for item in current_site().media:
            if item["id"] == media_id:
                return _plain(item)
        return None

    async def get_all(self, options=None):
        return [_plain(item) for item in current_site().media]


class MetaApi(_Namespace):
    _name = "meta"

    async def get_project_metadata(self):
        """The site settings, in the reference app's camelCase, with its mainLanguage."""
        metadata = cast(dict[str, object], _plain(current_site().settings))
        metadata.setdefault("mainLanguage", metadata.get("language") or "en")
        return metadata

    async def get_tags(self):
        return sorted(current_site().tag_counts(published_only=False))

    async def get_categories(self):
        return sorted(current_site().category_counts(published_only=False))


class _UnavailableNamespace(_Namespace):
    def __init__(self, name):
        self._name = name


class BdsApi:
    """`bds`: `await bds.posts.get_all()`, `await bds.tags.get_with_counts()`, …"""

    def __init__(self):
        self.posts = PostsApi()
        self.tags = TagsApi()
        self.media = MediaApi()
        self.meta = MetaApi()
        for name in REFERENCE_NAMESPACES:
            if not hasattr(self, name):
                setattr(self, name, _UnavailableNamespace(name))


bds = BdsApi()
