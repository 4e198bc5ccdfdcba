"""Renders macros: each script compiled once per version into its own module; a batch in one call.

python/macro-engine.ts calls render_batch(batch_json) with the JSON text of a render batch and gets
back the JSON text of its results (both described in src/runtime/protocol.ts). One string each way,
parsed and built here in a plain Python loop, keeps the cost per item to the macro's own work.
"""

import json
import math
import time
import types
from collections import OrderedDict

from _pymark_errors import describe
from _pymark_macro_context import build_context

# Compiled scripts kept at once; a site has a few dozen macros, so this only bounds runaway growth.
MODULE_CAPACITY = 64


class _Source:
    """A module's __loader__ that hands its source to linecache, so tracebacks quote the script's lines."""

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
    # Not registered in sys.modules: no script can import another's globals, and a failed import
    # leaves nothing behind but this unreferenced module.
    module = types.ModuleType(file_name.removesuffix(".py"))
    module.__file__ = file_name
    module.__loader__ = _Source(code)
    exec(compile(code, file_name, "exec", dont_inherit=True), module.__dict__)
    return module.__dict__


modules = ScriptModules(MODULE_CAPACITY)


def render_batch(batch_json):
    """Renders every item of the batch; each succeeds or fails on its own.

    Returns {"results": [entry per finished item], "interrupted": null | {"message", "line",
    "traceback"}}. KeyboardInterrupt (the client's time limit) ends the batch: the items from the
    interrupted one on have no entry.
    """
    batch = json.loads(batch_json)
    scripts = batch["scripts"]
    envs = batch["envs"]
    posts = batch["posts"]
    functions = [None] * len(scripts)
    results = []
    interrupted = None
    clock = time.perf_counter
    # One clock reading per item: where one item ends, the next begins.
    started = clock()
    for item in batch["items"]:
        script_index = item[0]
        script = scripts[script_index]
        try:
            function = functions[script_index]
            if function is None:
                function = functions[script_index] = _entrypoint(script)
            if type(function) is tuple:  # the script's import failed; every item of it says why
                entry = [*function]
            else:
                context = build_context(item[1], item[2], item[3], envs[item[4]], posts[item[5]], *item[6:])
                entry = _checked(function(context), script["fileName"])
        except KeyboardInterrupt as interrupt:
            interrupted = describe(interrupt, script["fileName"])
            break
        except BaseException as error:  # a macro's failure is its item's error, never the batch's
            entry = ["error", *_error_fields(error, script["fileName"])]
        ended = clock()
        entry.append((ended - started) * 1000)
        started = ended
        results.append(entry)
    return json.dumps({"results": results, "interrupted": interrupted}, ensure_ascii=False)


def _entrypoint(script):
    """The script's entrypoint function, or an error entry (a tuple) if it cannot be had."""
    try:
        namespace = modules.load(script)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return ("error", *_error_fields(error, script["fileName"]))
    function = namespace.get(script["entrypoint"])
    if callable(function):
        return function
    message = f"{script['fileName']} defines no function {script['entrypoint']}(context)"
    return ("error", message, None, message)


def _error_fields(error, file_name):
    described = describe(error, file_name)
    return [described["message"], described["line"], described["traceback"]]


def _checked(result, file_name):
    """The fast lane for a result that plainly meets ABI v1: ["ok", html, warnings].

    Anything else goes back as ["invalid", file name, the result as JSON data]; the worker then
    checks it against the ABI's own schema, which alone decides and words the problem.
    """
    if type(result) is str:
        return ["ok", result, []]
    if type(result) is dict and type(result.get("html")) is str:
        if len(result) == 1:
            return ["ok", result["html"], []]
        warnings = result.get("warnings")
        if len(result) == 2 and type(warnings) is list and all(type(item) is str for item in warnings):
            return ["ok", result["html"], warnings]
    return ["invalid", file_name, _as_json_data(result, 0)]


# A result is at most three levels deep (dict, warnings list, warning); deeper data is invalid anyway.
_MAX_DEPTH = 3


def _as_json_data(value, depth):
    """`value` as JSON data; what JSON cannot hold becomes null, which the ABI accepts nowhere in a result."""
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth < _MAX_DEPTH and isinstance(value, dict):
        return {str(key): _as_json_data(item, depth + 1) for key, item in value.items()}
    if depth < _MAX_DEPTH and isinstance(value, list):
        return [_as_json_data(item, depth + 1) for item in value]
    return None
