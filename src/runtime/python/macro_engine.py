"""Renders macros: each script compiled once per version into its own module; a batch in one call.

macro-engine.ts calls render_batch(batch_json) with the JSON text of a render batch and gets back
the JSON text of its results (both described in src/runtime/protocol.ts). One string each way,
parsed and built here in a plain Python loop, keeps the cost per item to the macro's own work.
"""

import json
import linecache
import math
import sys
import time
import types
from collections import OrderedDict

from _pymark_errors import describe
from _pymark_macro_context import copier, restore_whole_floats
from _pymark_reference import adapt_entrypoint

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
    module.__loader__ = _Source(code)
    exec(compile(code, file_name, "exec", dont_inherit=True), module.__dict__)
    return module.__dict__


modules = ScriptModules(MODULE_CAPACITY)

# The last code sent for each script id, as (version, code). The client sends a script's code once per
# worker (src/runtime/sent-scripts.ts); a few KiB per script, and the heap bound recycles the worker.
_sources = {}


def _fill_in_code(script):
    """Gives a script sent without its code the code it was sent with before; stores code that came."""
    code = script.get("code")
    if code is not None:
        _sources[script["id"]] = (script["version"], code)
        return
    held = _sources.get(script["id"])
    if held is None or held[0] != script["version"]:
        # The client only leaves code out once a batch with it ran to its end: a protocol error.
        raise LookupError(f"the worker was never sent version {script['version']} of script {script['id']}")
    script["code"] = held[1]


def render_batch(batch_json):
    """Renders every item of the batch; each succeeds or fails on its own.

    Returns the JSON text of {"outcomes": [outcome per finished item], "micros": [its time in
    Python, whole microseconds], "interrupted": null | {"message", "line", "traceback"}}, and
    "printed": {item index: what it printed} when any item printed; described in
    src/runtime/protocol.ts (`workerRenderAnswerSchema`). KeyboardInterrupt (the client's time
    limit) ends the batch: the items from the interrupted one on have no entry.
    """
    batch = json.loads(batch_json)
    scripts = batch["scripts"]
    # Before any item runs: the client records the scripts as held only when the batch ran to its end.
    for script in scripts:
        _fill_in_code(script)
    if len(batch["items"]) > 1:
        # Planned once per distinct env and post; each call still gets its own copy to change.
        env_copies = [copier(env) for env in batch["envs"]]
        post_copies = [copier(post) for post in batch["posts"]]
    else:
        # One call (a live preview's): json.loads' own objects are fresh, and no other macro sees them.
        env_copies = [_itself(env) for env in batch["envs"]]
        post_copies = [_itself(post) for post in batch["posts"]]
    functions = [None] * len(scripts)
    outcomes = []
    micros = []
    printed = {}
    interrupted = None
    # Integer nanoseconds: whole microseconds encode as JSON far faster than float milliseconds.
    clock = time.perf_counter_ns
    capture = Printed()
    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    try:
        # One clock reading per item: where one item ends, the next begins.
        started = clock()
        for item in batch["items"]:
            script_index = item[0]
            try:
                function = functions[script_index]
                if function is None:
                    function = functions[script_index] = _entrypoint(scripts[script_index])
                if type(function) is list:  # the script's import failed; every item of it says why
                    outcome = function
                else:
                    params = item[2]
                    args = item[3]
                    if len(item) > 6 and item[6] is not None:
                        restore_whole_floats(params, args, item[6])
                    context = {
                        "macro": item[1],
                        "params": params,  # the item's own, fresh from json.loads
                        "args": args,
                        "env": env_copies[item[4]](),
                        "post": post_copies[item[5]](),
                    }
                    if len(item) > 7:  # placement, body, body_html (ABI 1.1): plain str values
                        context.update(item[7])
                    outcome = function(context)
                    # A bare str is its own outcome: the common case skips a call.
                    if type(outcome) is not str:
                        outcome = _outcome(outcome, scripts[script_index]["fileName"])
            except KeyboardInterrupt as interrupt:
                interrupted = describe(interrupt, scripts[script_index]["fileName"])
                break
            except BaseException as error:  # a macro's failure is its item's error, never the batch's
                outcome = ["error", *_error_fields(error, scripts[script_index]["fileName"])]
            ended = clock()
            micros.append((ended - started) // 1000)
            started = ended
            if capture.parts:
                printed[len(outcomes)] = capture.take()
            outcomes.append(outcome)
    finally:
        # Even when a macro replaced them itself.
        sys.stdout, sys.stderr = streams
    results = {"outcomes": outcomes, "micros": micros, "interrupted": interrupted}
    if printed:
        results["printed"] = printed
    # ASCII on purpose: Pyodide hands JS a str with any non-ASCII character ~100x slower than an
    # ASCII one, and JSON.parse reads the \u escapes at no visible cost.
    return json.dumps(results)


def _itself(value):
    return lambda: value


def _entrypoint(script):
    """The script's entrypoint function, or its error outcome (a list) if it cannot be had."""
    try:
        namespace = modules.load(script)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return ["error", *_error_fields(error, script["fileName"])]
    function = namespace.get(script["entrypoint"])
    if callable(function):
        # render(context) or the reference app's render(context, post), sync or async.
        return adapt_entrypoint(function, script["id"])
    message = f"{script['fileName']} defines no function {script['entrypoint']}(context)"
    return ["error", message, None, message]


def _error_fields(error, file_name):
    described = describe(error, file_name)
    return [described["message"], described["line"], described["traceback"]]


def _outcome(result, file_name):
    """The outcome of a result other than a bare str; the fast lane for one that plainly meets ABI v1.

    A dict with "html" and no or empty "warnings" is just its html, as a bare str would be; with
    warnings it is ["ok", html, warnings]. Anything else goes back as ["invalid", file name, the
    result as JSON data]; the client then checks it against the ABI's own schema, which alone
    decides and words the problem. A "data" key (the reference app's) is accepted and dropped.
    """
    if type(result) is dict:
        if "data" in result:
            result = {key: value for key, value in result.items() if key != "data"}
        html = result.get("html")
        if type(html) is str:
            size = len(result)
            if size == 1:
                return html
            warnings = result.get("warnings")
            if size == 2 and type(warnings) is list:
                # Most results carry no warnings: that case skips the scan below.
                if not warnings:
                    return html
                if all(type(warning) is str for warning in warnings):
                    return ["ok", html, warnings]
    return ["invalid", file_name, as_json_data(result)]


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
