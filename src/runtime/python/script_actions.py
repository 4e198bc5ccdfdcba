"""What a utility may change in the project: `pymark.create_post(...)` and the rest of the allowlist.

A utility cannot reach storage: each call is checked here, recorded, and listed in the run's result
(runner.py); the app applies the list through its stores when the run ends, so every change is
validated again, synced to the folder and undoable (src/storage/script-actions.ts). `site` shows
the project as it was when the run started. Macros and transforms only read: a call from them
raises PermissionError. docs/python-api.md is the prose.
"""

from _pymark_site import pymark_module

ALLOWED = (
    "create_post",
    "update_post",
    "delete_post",
    "rename_tag",
    "delete_tag",
    "rename_category",
    "delete_category",
)

POST_STATUSES = ("draft", "published")

# Bounds that keep one run's changes to what the app applies in a moment (src/core/script-actions.ts).
MAX_ACTIONS = 1000
MAX_BODY_CHARS = 1_000_000

# The actions of the utility run in progress, or None outside a utility run.
_recording = None


def begin_recording():
    """Called by runner.py as a utility run starts."""
    global _recording
    _recording = []


def end_recording():
    """Called by runner.py as the run ends, however it ends: the actions recorded, as JSON data."""
    global _recording
    actions, _recording = _recording or [], None
    return actions


def _record(action):
    if _recording is None:
        raise PermissionError(
            f"pymark.{action['type'].replace('-', '_')}() changes the project, which only a utility run may do; "
            "macros and transforms read it through pymark.site"
        )
    if len(_recording) >= MAX_ACTIONS:
        raise RuntimeError(f"a run may make at most {MAX_ACTIONS} changes; run the utility again for more")
    _recording.append(action)


def _text(name, value, allow_empty=True):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def _body(value):
    if len(_text("body", value)) > MAX_BODY_CHARS:
        raise ValueError(f"body must be at most {MAX_BODY_CHARS:,} characters")
    return value


def _names(name, value):
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{name} must be a list of str")
    return list(value)


def _status(value):
    if value not in POST_STATUSES:
        raise ValueError(f'status must be "draft" or "published", not {value!r}')
    return value


def create_post(title, body="", tags=(), categories=(), status="draft"):
    """Creates a post when the run ends (a fresh id, a slug from the title)."""
    _record(
        {
            "type": "create-post",
            "title": _text("title", title, allow_empty=False),
            "body": _body(body),
            "tags": _names("tags", tags),
            "categories": _names("categories", categories),
            "status": _status(status),
        }
    )


_UNSET = object()


def update_post(id_or_slug, title=_UNSET, body=_UNSET, tags=_UNSET, categories=_UNSET, status=_UNSET):
    """Changes the given fields of a post when the run ends; the others stay as they are."""
    action: dict[str, object] = {"type": "update-post", "post": _text("id_or_slug", id_or_slug, allow_empty=False)}
    if title is not _UNSET:
        action["title"] = _text("title", title, allow_empty=False)
    if body is not _UNSET:
        action["body"] = _body(body)
    if tags is not _UNSET:
        action["tags"] = _names("tags", tags)
    if categories is not _UNSET:
        action["categories"] = _names("categories", categories)
    if status is not _UNSET:
        action["status"] = _status(status)
    if len(action) == 2:
        raise ValueError("update_post needs at least one of title, body, tags, categories, status")
    _record(action)


def delete_post(id_or_slug):
    """Moves a post to the trash when the run ends (the app can bring it back)."""
    _record({"type": "delete-post", "post": _text("id_or_slug", id_or_slug, allow_empty=False)})


def rename_tag(old, new):
    """Renames a tag on every post that carries it."""
    _record({"type": "rename-tag", "from": _text("old", old, False), "to": _text("new", new, False)})


def delete_tag(name):
    """Removes a tag from every post that carries it."""
    _record({"type": "delete-tag", "name": _text("name", name, False)})


def rename_category(old, new):
    """Renames a category on every post in it."""
    _record({"type": "rename-category", "from": _text("old", old, False), "to": _text("new", new, False)})


def delete_category(name):
    """Removes a category from every post in it."""
    _record({"type": "delete-category", "name": _text("name", name, False)})


def _refuse(name):
    """A module-level __getattr__: anything outside the allowlist is refused by name."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        f"pymark has no {name}: a utility may only {', '.join(ALLOWED)}, and read pymark.site; "
        "scripts never reach storage, the network or the page"
    )


def _install():
    module = pymark_module()
    for name in ALLOWED:
        setattr(module, name, globals()[name])
    module.__getattr__ = _refuse


_install()
