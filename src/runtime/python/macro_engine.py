"""Renders macros: each script compiled once per version into its own module; a batch in one call.

macro-engine.ts calls render_batch(batch_json) with the JSON text of a `Batch` and gets back the
JSON text of its `BatchResults` (both in wire.py). One string each way, parsed and built here in a
plain Python loop, keeps the cost per call to the macro's own work.
"""

import json
import linecache
import math
import sys
import time
import types
from collections import OrderedDict
from collections.abc import Callable
from typing import cast

from _pymark_errors import describe
from _pymark_macro_context import copier, recording_copier
from _pymark_reference import adapt_entrypoint, add_reference_post_keys, reads_behind_aliases
from _pymark_site import current_site as pymark_site
from _pymark_wire import Batch, BatchResults, PythonException, RaisedItem, Reads, ReturnedItem, WorkerScript

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


class _Compiled:
    __slots__ = ("version", "code", "module")

    def __init__(self, version, code, module):
        self.version = version
        self.code = code
        self.module = module


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

# A call that failed before it got its context (its script did not import) read nothing.
_READ_NOTHING: Reads = {"site": False, "post": []}


def render_batch(batch_json: str):
    """Renders every call of the batch (a `Batch` of one script's calls); each succeeds or fails on its own.

    The worker puts the interpreter back before each script's batch (python-services.ts), so a batch
    holds one script: no other script's source or calls are within its reach.

    Returns the JSON text of a `BatchResults`: one entry per finished call, in order. KeyboardInterrupt
    (the client's time limit) ends the batch: the calls from the interrupted one on have no entry.
    """
    batch: Batch = json.loads(batch_json)
    scripts = batch["scripts"]
    functions: list[Callable[[dict[str, object]], object] | dict[str, object] | None] = [None] * len(scripts)
    items: list[ReturnedItem | RaisedItem] = []
    interrupted: PythonException | None = None
    clock = time.perf_counter_ns
    capture = Printed()
    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    site = pymark_site()
    try:
        # Once per distinct post, not per call: a site lookup each (reference_compat.py).
        posts = [add_reference_post_keys(post) for post in batch["posts"]]
        # Planned once per distinct env and post; each call still gets its own copy to change. One
        # call (a live preview's) needs none: json.loads' own objects are fresh, and no other macro sees them.
        many = len(batch["calls"]) > 1
        env_copies = [copier(env) if many else _itself(env) for env in batch["envs"]]
        post_copies = [recording_copier(post, many) for post in posts]
        # A call's reads as the page wants them, by the post keys it read: most calls of a batch read alike.
        reads_by_keys: dict[tuple[str, ...] | None, tuple[list[str] | None, bool]] = {}
        post = None
        # One clock reading per call: where one call ends, the next begins.
        started = clock()
        for call in batch["calls"]:
            script_index = call["script"]
            file_name = scripts[script_index]["fileName"]
            try:
                function = functions[script_index]
                if function is None:
                    function = functions[script_index] = _entrypoint(scripts[script_index])
                if isinstance(function, dict):  # the script's import failed; every call of it says why
                    item: dict[str, object] = dict(function)
                else:
                    post = post_copies[call["post"]]()
                    site.read = site.read_bodies = False
                    # json.loads made these for this call alone: the macro gets them as they are.
                    params = call["params"]
                    args = call["args"]
                    for name in call.get("float_params", ()):
                        params[name] = float(params[name])
                    for position in call.get("float_args", ()):
                        args[position] = float(args[position])
                    context = {
                        "macro": call["macro"],
                        "params": params,
                        "args": args,
                        "env": env_copies[call["env"]](),
                        "post": post,
                    }
                    extras = call.get("extras")
                    if extras is not None:  # placement, body, body_html (ABI 1.1): plain str values
                        context.update(extras)
                    result = function(context)
                    # A bare str is JSON already: the common case skips the walk.
                    item = {"kind": "returned", "result": result if type(result) is str else _result_data(result)}
            except KeyboardInterrupt as interrupt:
                interrupted = describe(interrupt, file_name)
                break
            except BaseException as error:  # a macro's failure is its call's error, never the batch's
                item = {"kind": "raised", **describe(error, file_name)}
            ended = clock()
            # What the call read decides when its result can be reused (src/render/post-renderer.ts).
            if post is None:
                reads = _READ_NOTHING
            else:
                read_keys = post.reads()
                memo_key = None if read_keys is None else tuple(read_keys)
                behind_aliases = reads_by_keys.get(memo_key)
                if behind_aliases is None:
                    behind_aliases = reads_by_keys[memo_key] = reads_behind_aliases(read_keys)
                post_keys, content_read = behind_aliases
                # A body read through a post kept from an earlier call is a site read too.
                read_bodies = site.read_bodies or content_read
                reads = {"site": site.read or read_bodies, "post": post_keys}
                if read_bodies:
                    reads["siteBodies"] = True
            item["pythonMs"] = (ended - started) / 1e6
            item["reads"] = reads
            finished = cast(ReturnedItem | RaisedItem, item)
            post = None
            started = ended
            if capture.parts:
                finished["printed"] = capture.take()
            items.append(finished)
    finally:
        # Even when a macro replaced them itself.
        sys.stdout, sys.stderr = streams
    results: BatchResults = {"items": items, "interrupted": interrupted}
    # ASCII on purpose: Pyodide hands JS a str with any non-ASCII character ~100x slower than an
    # ASCII one, and JSON.parse reads the \u escapes at no visible cost.
    return encode_results(results)


def _itself(value):
    return lambda: value


def _entrypoint(script: WorkerScript) -> Callable[[dict[str, object]], object] | dict[str, object]:
    """The script's entrypoint function, or its error item (a dict) if it cannot be had."""
    try:
        namespace = modules.load(script)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return {"kind": "raised", **describe(error, script["fileName"])}
    function = namespace.get(script["entrypoint"])
    if callable(function):
        # render(context) or the reference app's render(context, post), sync or async.
        return adapt_entrypoint(function, script["id"])
    message = f"{script['fileName']} defines no function {script['entrypoint']}(context)"
    return {"kind": "raised", "message": message, "line": None, "traceback": message}


def _result_data(result):
    """A result other than a bare str as JSON data; the reference app's "data" key is accepted and dropped."""
    if type(result) is dict:
        if "data" in result:
            result = {key: value for key, value in result.items() if key != "data"}
        if _is_plain_result(result):
            return result
    return as_json_data(result)


_STR_ONLY = {str}


def _is_plain_result(result):
    """Whether a dict result is JSON data as it stands (str keys; str or list-of-str values), as most are."""
    if not set(map(type, result)) <= _STR_ONLY:
        return False
    for value in result.values():
        if type(value) is not str and not (type(value) is list and set(map(type, value)) <= _STR_ONLY):
            return False
    return True


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
