"""Lets scripts written for the reference desktop app run unchanged (docs/compatibility.md).

That app calls a macro as `render(context, post)`, awaits an `async def` entry point, and hands it
a context whose env says `isPreview` and `mainLanguage`, with the post in camelCase. Pymark calls
`render(context)` with its own keys. The macro engine bridges the two: the reference keys are added
once per env and post of a batch (`reference_env`, `add_reference_post_keys`), and `takes_post` says
once per script how to call its entry point, so the per call cost is two dict stores.
"""

import inspect
from collections.abc import Iterable

from _pymark_site import CONTENT_READS, saved_body

# The reference app keeps every project's scripts under this project id unless told otherwise.
REFERENCE_PROJECT_ID = "default"


class NotReadyError(RuntimeError):
    """An async entry point awaited something that does not finish at once."""


def awaited(result):
    """`result`, or, when it is awaitable (an `async def` entry point's coroutine), its value.

    Scripts run synchronously in the worker, so there is no event loop to wait on: the awaitable is
    driven to its end at once. Everything Pymark offers (bds_api, pymark) finishes at once; a bare
    `await asyncio.sleep(0)` yields None and goes on. Awaiting anything that must wait (a timer, a
    future) cannot finish, and says so.
    """
    if type(result) is str or type(result) is dict or result is None or not inspect.isawaitable(result):
        return result
    steps = result.__await__()
    try:
        while True:
            waited_on = steps.send(None)
            if waited_on is not None:
                steps.close()
                raise NotReadyError(
                    f"the entry point awaited {type(waited_on).__name__}, which would have to wait: "
                    "Pymark runs async entry points to their end at once, so only awaits that finish "
                    "at once (bds_api, pymark, asyncio.sleep(0)) work"
                )
    except StopIteration as finished:
        return finished.value


def takes_post(function):
    """Whether `function` can be called with (context, post), as the reference app calls it."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: call it the Pymark way
        return False
    positional = 0
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            return True
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


def reference_env(env):
    """A copy of `env` with the keys the reference app's env has and Pymark's lacks, made once per
    env of a batch. Each call's copy of it gets its `hook` and `source`, which `add_call_keys` adds."""
    return {**env, "isPreview": env["preview"], "mainLanguage": env["language"], "hook": None, "source": None}


def add_call_keys(env, macro, script_id):
    """Adds, in place, the reference app's keys of one call to its copy of a `reference_env`: the name
    the macro was called by, and which script it is (a dict of its own, so the env's copy stays flat)."""
    env["hook"] = macro
    env["source"] = {"kind": "macro", "id": script_id}


def add_reference_post_keys(post):
    """Adds the reference app's camelCase post keys to a Pymark post dict, in place.

    `content` is the post's saved Markdown from the site snapshot (a post not saved yet has "").
    Pymark posts have no excerpt or author: those are None, as the reference app sends for a post
    without them.
    """
    # Past the post's and the site's notes of what was read: the macro did not read these yet, and
    # `reads_behind_aliases` counts a read of a camelCase key as a read of what it copies.
    post["content"] = saved_body(dict.get(post, "id"))
    post["projectId"] = REFERENCE_PROJECT_ID
    post["excerpt"] = None
    post["author"] = None
    for alias, key in _POST_ALIASES.items():
        post[alias] = dict.get(post, key)
    return post


_POST_ALIASES = {"createdAt": "created_at", "updatedAt": "updated_at", "publishedAt": "published_at"}


def reads_behind_aliases(post_keys: Iterable[str] | None) -> tuple[list[str] | None, frozenset[str]]:
    """What a call read of its post, with the reference app's keys turned into what they copy.

    Returns the post keys, sorted (None: all of it), and the parts of the site data read through them:
    `content` is a post's body from it (macro_engine.py notes both).
    """
    if post_keys is None:
        return None, CONTENT_READS
    keys = {_POST_ALIASES.get(key, key) for key in post_keys}
    site_reads = CONTENT_READS if "content" in keys else frozenset()
    keys -= {"content", "projectId", "excerpt", "author"}
    return sorted(keys), site_reads


def reference_post(post):
    """A reference-app PostData dict (camelCase keys only) made from a post of `pymark.site`."""
    return {
        "id": post["id"],
        "projectId": REFERENCE_PROJECT_ID,
        "title": post["title"],
        "slug": post["slug"],
        "excerpt": None,
        "content": post.get("body", ""),
        "status": post["status"],
        "author": None,
        "createdAt": post.get("created_at"),
        "updatedAt": post.get("updated_at"),
        "publishedAt": post.get("published_at"),
        "tags": list(post["tags"]),
        "categories": list(post["categories"]),
    }
