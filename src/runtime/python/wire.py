"""The data that crosses between the worker's JavaScript and Pymark's Python, as TypedDicts.

Each has a zod twin in src/runtime/protocol.ts (the page ↔ worker messages) or is built from one
there (render-call.ts writes a `Batch` per script). JSON text carries them both ways.
"""

from typing import Literal, NotRequired, Protocol, TypedDict


# A param's or arg's value as JSON carries it: the tag of the ABI's MacroValue is left on the page,
# but for floats, which JSON writes as ints when whole (2.0 as 2): `Call` lists those.
MacroValue = str | int | float | bool


class WorkerScript(TypedDict):
    id: str
    version: int
    fileName: str
    code: str
    entrypoint: str


class JsBytes(Protocol):
    """A JavaScript Uint8Array as Pyodide hands it to Python: its bytes are copied out at once, where a
    JavaScript string would be converted character by character."""

    def to_bytes(self) -> bytes: ...


class Call(TypedDict):
    """One macro call; `env` and `post` index the batch's lists.

    `float_params` names the params, and `float_args` the positions of the args, that are floats.
    """

    macro: str
    params: dict[str, MacroValue]
    args: list[MacroValue]
    float_params: NotRequired[list[str]]
    float_args: NotRequired[list[int]]
    env: int
    post: int
    extras: NotRequired["CallExtras"]


class CallExtras(TypedDict, total=False):
    """The context's optional keys (ABI 1.1): where the call stands, and a paired call's body."""

    placement: Literal["block", "inline"]
    body: str
    body_html: str


class Batch(TypedDict):
    """One script's calls of a render request (the page writes one per script); each env and post once,
    however many calls share it."""

    envs: list[dict[str, object]]
    posts: list[dict[str, object]]
    calls: list[Call]


class PythonException(TypedDict):
    message: str
    line: int | None
    traceback: str


class ReturnedItem(TypedDict):
    """A call's result as JSON data; `pythonNs` its time in Python; `reads` indexes `BatchResults.reads`."""

    kind: Literal["returned"]
    result: object
    pythonNs: int
    reads: int
    printed: NotRequired[str]


class OversizedItem(TypedDict):
    """A result over the per-call size limit, left out: `size` is its HTML, CSS and warnings in UTF-16 units."""

    kind: Literal["oversized"]
    size: int
    pythonNs: int
    reads: int
    printed: NotRequired[str]


class RaisedItem(PythonException):
    kind: Literal["raised"]
    pythonNs: int
    reads: int
    printed: NotRequired[str]


class SiteSnapshot(TypedDict):
    posts: list[dict[str, object]]
    media: NotRequired[list[dict[str, object]]]
    settings: NotRequired[dict[str, object]]


class SiteChanges(TypedDict):
    """What changed in the site data since the worker last had it; `order`: every post id, when it changed."""

    upsert: list[dict[str, object]]
    remove: list[str]
    order: list[str] | None


class Reads(TypedDict):
    """What of its inputs a call read: the parts of `pymark.site` (sorted; docs/abi-v1.md names them:
    "posts", "posts.<key>", "media", "settings"), and which keys of its post (None: all of it)."""

    site: list[str]
    post: list[str] | None


class BatchResults(TypedDict):
    """One item per finished call, in order; `reads` holds each distinct `Reads` of them once;
    `interrupted` when KeyboardInterrupt ended the batch early (last, so the worker reads it at the end)."""

    items: list[ReturnedItem | OversizedItem | RaisedItem]
    reads: list[Reads]
    interrupted: PythonException | None


class TransformRequest(TypedDict):
    script: WorkerScript
    post: dict[str, object]


class TransformReturned(TypedDict):
    """What the transform returned, as JSON data, and its Python type's name (a set becomes null)."""

    kind: Literal["returned"]
    result: object
    type: str
    printed: NotRequired[str]


class TransformRaised(PythonException):
    """`interrupted`: KeyboardInterrupt; the page knows whether it asked for it."""

    kind: Literal["error", "interrupted"]
    printed: NotRequired[str]


TransformResult = TransformReturned | TransformRaised


class RunReturned(TypedDict):
    """A utility run that ended well: the repr of what its entrypoint returned, and the changes it asked for."""

    kind: Literal["ok"]
    returnValue: str | None
    actions: NotRequired[list[dict[str, object]]]


class RunRaised(PythonException):
    kind: Literal["error", "interrupted"]


# What runner.py's run_script returns; the worker adds `truncatedChars`.
RunResult = RunReturned | RunRaised
