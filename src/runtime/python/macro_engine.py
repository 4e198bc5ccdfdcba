"""Renders macros: each script compiled once per version into its own module; a batch in one call.

python-services.ts calls render_batch(script, batch_bytes, size_limit) with one script's `Batch` as
UTF-8 JSON and gets back the JSON text of its `BatchResults` (both in wire.py). One text each way,
parsed and built here in a plain Python loop, keeps the cost per call to the macro's own work.
"""

import json
import linecache
import math
import sys
import time
import types
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple, cast

from _pymark_errors import describe
from _pymark_macro_context import copier, recording_copier
from _pymark_reference import (
    add_call_keys,
    add_reference_post_keys,
    awaited,
    reads_behind_aliases,
    reference_env,
    takes_post,
)
from _pymark_site import forget_reads, post_keys_among, site_reads
from _pymark_wire import (
    Batch,
    BatchResults,
    JsBytes,
    OversizedItem,
    PythonException,
    RaisedItem,
    Reads,
    ReturnedItem,
    WorkerScript,
)

# Compiled scripts kept at once; a site has a few dozen macros, so this only bounds runaway growth.
MODULE_CAPACITY = 64

# What one macro call prints is kept up to this many characters: it is for its author to read.
PRINTED_CAPACITY = 2000


class Printed:
    """Stands in for sys.stdout and sys.stderr during a call: what it prints, for its author."""

    __slots__ = ("parts", "capacity")

    def __init__(self, capacity=PRINTED_CAPACITY):
        self.parts = []
        self.capacity = capacity

    def write(self, text):
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass

    def take(self):
        """What was printed since the last take, cut to `capacity` characters."""
        text = "".join(self.parts)
        self.parts.clear()
        if len(text) <= self.capacity:
            return text
        return f"{text[: self.capacity]}… ({len(text) - self.capacity} more characters)"


class _Source:
    """A module's __loader__ that hands linecache its source, should its entry be dropped (a run of
    the same file by runner.py drops it), so tracebacks still quote the script's lines."""

    def __init__(self, code):
        self._code = code

    def get_source(self, _name):
        return self._code


class _Compiled(NamedTuple):
    version: int
    code: str
    module: dict[str, object]


class ScriptModules:
    """Each script's module by id, compiled on first use and again only for a new version.

    The code is compared too, so an edited draft still under its saved version is never served
    stale. Least recently used scripts are dropped beyond `capacity`.
    """

    def __init__(self, capacity):
        self._capacity = capacity
        self._compiled = OrderedDict()

    def load(self, script):
        """The script's module namespace; raises what its import raised, and then caches nothing."""
        script_id = script["id"]
        cached = self._compiled.get(script_id)
        if cached is not None and cached.version == script["version"] and cached.code == script["code"]:
            self._compiled.move_to_end(script_id)
            return cached.module
        self._compiled.pop(script_id, None)
        module = _import(script)
        self._compiled[script_id] = _Compiled(script["version"], script["code"], module)
        if len(self._compiled) > self._capacity:
            self._compiled.popitem(last=False)
        return module


def _import(script):
    file_name = script["fileName"]
    code = script["code"]
    # Tracebacks quote this code from now on. linecache keeps what it first read of a file that has
    # no copy on disk, so an earlier version of the script would otherwise be quoted at a new error.
    linecache.cache[file_name] = (len(code), None, code.splitlines(keepends=True), file_name)
    # Not registered in sys.modules: no script can import another's globals, and a failed import
    # leaves nothing behind but this unreferenced module.
    module = types.ModuleType(file_name.removesuffix(".py"))
    module.__file__ = file_name
    # typeshed wants a full loader here; linecache only ever asks it for get_source.
    setattr(module, "__loader__", _Source(code))
    exec(compile(code, file_name, "exec", dont_inherit=True), module.__dict__)
    return module.__dict__


modules = ScriptModules(MODULE_CAPACITY)

# Bound at boot: a script that patches json.dumps or JSONEncoder.encode changes what it computes, not
# how the engine writes its answer.
encode_results = json.JSONEncoder().encode


def render_batch(script: WorkerScript, batch_bytes: JsBytes, size_limit: int) -> str:
    """Renders every call of the batch (a `Batch` of `script`'s calls); each succeeds or fails on its own.

    The worker puts the interpreter back before each script's batch (python-services.ts), so no other
    script's source or calls are within a batch's reach. A result whose HTML, CSS and warnings are
    over `size_limit` (UTF-16 units, as the page counts them) is refused here, before it is written.

    Returns the JSON text of a `BatchResults`: one entry per finished call, in order. KeyboardInterrupt
    (the client's time limit) ends the batch: the calls from the interrupted one on have no entry.
    """
    batch: Batch = json.loads(batch_bytes.to_bytes())
    calls = batch["calls"]
    file_name = script["fileName"]
    script_id = script["id"]
    items: list[dict[str, object]] = []
    interrupted: PythonException | None = None
    clock = time.perf_counter_ns
    capture = Printed()
    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    try:
        # Once per distinct env and post, not per call: the reference app's keys, and a site lookup
        # each (reference_compat.py). Each call still gets its own copy to change. One call (a live
        # preview's) needs none: json.loads' own objects are fresh, and no other macro sees them.
        many = len(calls) > 1
        env_copies = [_copies(reference_env(env), many) for env in batch["envs"]]
        post_copies = [recording_copier(add_reference_post_keys(post), many) for post in batch["posts"]]
        # Each distinct `Reads` once, by the post keys a call read and the parts of the site data.
        reads: list[Reads] = []
        reads_index: dict[tuple[frozenset[object] | None, frozenset[str]] | None, int] = {}
        # One clock reading per call: where one call ends, the next begins. The first call's time
        # includes the script's import.
        started = clock()
        function: Callable[..., object] | None = None
        with_post = False
        failed: dict[str, object] = {}
        try:
            entry = _entrypoint(script)
            if isinstance(entry, dict):
                failed = entry
            else:
                function, with_post = entry
        except KeyboardInterrupt as interrupt:
            calls = []
            interrupted = describe(interrupt, file_name)
        for call in calls:
            post = None
            item: dict[str, object]
            try:
                if function is None:  # the script's import failed; every call of it says why
                    item = dict(failed)
                else:
                    post = post_copies[call["post"]]()
                    forget_reads()
                    # json.loads made these for this call alone: the macro gets them as they are.
                    params = call["params"]
                    args = call["args"]
                    for name in call.get("float_params", ()):
                        params[name] = float(params[name])
                    for position in call.get("float_args", ()):
                        args[position] = float(args[position])
                    macro = call["macro"]
                    env = env_copies[call["env"]]()
                    add_call_keys(env, macro, script_id)
                    context = {"macro": macro, "params": params, "args": args, "env": env, "post": post}
                    extras = call.get("extras")
                    if extras is not None:  # placement, body, body_html (ABI 1.1): plain str values
                        context.update(extras)
                    result = function(context, post) if with_post else function(context)
                    if type(result) is str:  # JSON already, the common case with a dict: no walk
                        data, size = result, len(result)
                    else:
                        if type(result) is not dict:  # an `async def` entry point's coroutine
                            result = awaited(result)
                        data, size = _result_data(result)
                    # Code points; the page counts UTF-16 units, at most twice as many.
                    if size * 2 > size_limit and (size := _utf16_size(data)) > size_limit:
                        item = {"kind": "oversized", "size": size}
                    else:
                        item = {"kind": "returned", "result": data}
            except KeyboardInterrupt as interrupt:
                interrupted = describe(interrupt, file_name)
                break
            except BaseException as error:  # a macro's failure is its call's error, never the batch's
                item = {"kind": "raised", **describe(error, file_name)}
            ended = clock()
            # What the call read decides when its result can be reused (src/render/post-renderer.ts).
            # A call that failed before it got its context read nothing.
            read = None if post is None else (None if post.read_all else frozenset(post.read_keys), site_reads())
            index = reads_index.get(read)
            if index is None:
                index = reads_index[read] = len(reads)
                reads.append(_reads(read))
            item["pythonNs"] = ended - started
            item["reads"] = index
            started = ended
            if capture.parts:
                item["printed"] = capture.take()
            items.append(item)
    finally:
        # Even when a macro replaced them itself.
        sys.stdout, sys.stderr = streams
    results: BatchResults = {
        "items": cast(list[ReturnedItem | OversizedItem | RaisedItem], items),
        "reads": reads,
        "interrupted": interrupted,
    }
    # ASCII on purpose: Pyodide hands JS a str with any non-ASCII character ~100x slower than an
    # ASCII one, and JSON.parse reads the \u escapes at no visible cost.
    return encode_results(results)


def _copies(data, many):
    """A function that returns a fresh copy of `data` per call, or `data` itself if there is one call."""
    return copier(data) if many else lambda: data


def _reads(read: tuple[frozenset[object] | None, frozenset[str]] | None) -> Reads:
    """A call's reads as the page wants them, from the keys it looked up in its post (None: all of it)
    and the parts of the site data it read (pymark_site.py)."""
    if read is None:
        return {"site": [], "post": []}
    looked_up, site_parts = read
    keys, aliased = reads_behind_aliases(None if looked_up is None else post_keys_among(looked_up))
    return {"site": sorted(site_parts | aliased), "post": keys}


def _entrypoint(script: WorkerScript) -> tuple[Callable[..., object], bool] | dict[str, object]:
    """The script's entrypoint function and whether it takes the post too (the reference app's
    `render(context, post)`), or its error item (a dict) if it cannot be had."""
    try:
        namespace = modules.load(script)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return {"kind": "raised", **describe(error, script["fileName"])}
    function = namespace.get(script["entrypoint"])
    if callable(function):
        return function, takes_post(function)
    message = f"{script['fileName']} defines no function {script['entrypoint']}(context)"
    return {"kind": "raised", "message": message, "line": None, "traceback": message}


def _result_data(result) -> tuple[object, int]:
    """A result other than a bare str as JSON data, and how many code points the size limit counts in
    it at most; the reference app's "data" key is accepted and dropped."""
    if type(result) is dict:
        if "data" in result:
            result = {key: value for key, value in result.items() if key != "data"}
        size = _plain_size(result)
        if size is not None:
            return result, size
    data = as_json_data(result)
    return data, sum(map(len, _counted_texts(data)))


_STR_ONLY = {str}


def _plain_size(result):
    """For a dict result that is JSON data as it stands (str keys; str or list-of-str values), as most
    are, the code points of all its strings; None for any other."""
    if not set(map(type, result)) <= _STR_ONLY:
        return None
    size = 0
    for value in result.values():
        if type(value) is str:
            size += len(value)
        elif type(value) is list and set(map(type, value)) <= _STR_ONLY:
            size += sum(map(len, value))
        else:
            return None
    return size


def _counted_texts(data) -> list[str]:
    """What the per-call size limit counts of a result (src/core/size-limits.ts, `macroResultSize`):
    a str result, or a dict's html, css and warnings."""
    if type(data) is str:
        return [data]
    if type(data) is not dict:
        return []
    texts = [text for text in (data.get("html"), data.get("css")) if type(text) is str]
    warnings = data.get("warnings")
    if type(warnings) is list:
        texts += [warning for warning in warnings if type(warning) is str]
    return texts


def _utf16_size(data) -> int:
    """The size of `data` as the per-call limit counts it, in UTF-16 code units as JavaScript does."""
    return sum(len(text.encode("utf-16-le", "surrogatepass")) for text in _counted_texts(data)) // 2


# A result is at most three levels deep (dict, warnings list, warning); deeper data is invalid anyway.
_MAX_DEPTH = 3


def as_json_data(value, depth=0):
    """`value` as JSON data; what JSON cannot hold becomes null, which the ABI accepts nowhere in a result."""
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth < _MAX_DEPTH and isinstance(value, dict):
        return {str(key): as_json_data(item, depth + 1) for key, item in value.items()}
    if depth < _MAX_DEPTH and isinstance(value, list):
        return [as_json_data(item, depth + 1) for item in value]
    return None
