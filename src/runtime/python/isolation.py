"""Keeps what one script does to the interpreter from reaching the next script (docs/security.md).

`seal()` runs once at boot, after Pymark's own modules are installed and before the memory snapshot
is taken: it records the interpreter as every script should find it and installs an audit hook.
`reset()` runs before and after each script's call (macro_engine.py, transform_engine.py,
runner.py) and puts back every channel listed in docs/security.md, each with its own test in
tests/node/isolation.test.ts. A change it cannot put back (a file of the standard library
rewritten) raises `IsolationBroken`, which fails the call: the page then replaces the worker.
"""

import asyncio
import copyreg
import linecache
import os
import sys
import types
import warnings
from typing import Any

# Pyodide's event loop; imported now, while it can still reach Pyodide's API (python-guard.ts takes
# `pyodide_js` away from scripts after boot).
import pyodide.webloop  # pyright: ignore[reportMissingImports]  (Pyodide's own, not on this machine)
# Imported here so they are part of the state every script starts from: common in macros, and a
# module imported later by a script is dropped after its call (it may have been patched there).
import collections  # noqa: F401
import dataclasses  # noqa: F401
import datetime  # noqa: F401
import functools  # noqa: F401
import html  # noqa: F401
import itertools  # noqa: F401
import json  # noqa: F401
import math  # noqa: F401
import re  # noqa: F401
import string  # noqa: F401
import textwrap  # noqa: F401
import urllib.parse  # noqa: F401

# The recursion limit every call starts with, and the most a script may set: deeper, Pyodide's
# JavaScript stack overflows (measured: 6,000 frames passed in Node, 12,000 overflowed), which kills
# the interpreter instead of raising RecursionError. python-guard.ts enforces the cap.
DEFAULT_RECURSION_LIMIT = 1000
MAX_RECURSION_LIMIT = 3000

# Where a script can write files; the standard library's own files are under /lib.
_FILE_ROOTS = ("/home", "/tmp", "/lib")

# Audit events a script may not cause: each would let it see or steer other scripts' calls.
_REFUSED_EVENTS = {
    "sys.addaudithook": "audit hooks",
    "gc.get_objects": "gc.get_objects()",
    "gc.get_referrers": "gc.get_referrers()",
    "gc.get_referents": "gc.get_referents()",
    "sys._current_frames": "sys._current_frames()",
}


# Py_TPFLAGS_HEAPTYPE: a class made by a class statement, whose attributes can be set.
_HEAP_TYPE = 1 << 9


class IsolationBroken(RuntimeError):
    """A script changed the interpreter in a way reset() cannot undo; the worker must be replaced."""


class _Baseline:
    __slots__ = ("modules", "bindings", "classes", "containers", "shared", "files", "directories", "lines")

    def __init__(self):
        self.modules: dict[str, types.ModuleType] = dict(sys.modules)
        self.bindings: list[tuple[dict[str, object], dict[str, object]]] = []
        # Classes defined in Python that the modules hold, with their attributes: CPython raises no
        # audit event when a class attribute is set, so these are put back rather than refused.
        self.classes: list[tuple[type, dict[str, object]]] = []
        # Functions that scripts share: changing their code or defaults is refused (audit hook).
        self.shared: set[int] = set()
        seen_classes: set[int] = set()
        for module in self.modules.values():
            namespace = getattr(module, "__dict__", None)
            if type(namespace) is not dict:
                continue
            self.bindings.append((namespace, dict(namespace)))
            for value in namespace.values():
                if isinstance(value, types.FunctionType):
                    self.shared.add(id(value))
                elif isinstance(value, type) and id(value) not in seen_classes:
                    seen_classes.add(id(value))
                    attributes = dict(vars(value))
                    if value.__flags__ & _HEAP_TYPE:  # a built-in type's attributes cannot be set
                        self.classes.append((value, attributes))
                    for member in attributes.values():
                        if isinstance(member, types.FunctionType):
                            self.shared.add(id(member))
        # Mutable objects that the standard library reads from, put back by content.
        self.containers: list[tuple[Any, Any]] = [
            (container, _copy(container))
            for container in (
                sys.path,
                sys.meta_path,
                sys.path_hooks,
                sys.path_importer_cache,
                warnings.filters,
                copyreg.dispatch_table,
                os.environ,
            )
        ]
        self.files, self.directories = _files()
        self.lines = set(linecache.cache)


def _copy(container):
    return list(container) if isinstance(container, list) else dict(container)


def _files():
    """Every file under the roots, with its size and modification time, and every directory."""
    found = {}
    directories = []
    for root in _FILE_ROOTS:
        for directory, _, names in os.walk(root):
            directories.append(directory)
            for name in names:
                path = f"{directory}/{name}"
                status = os.stat(path)
                found[path] = (status.st_size, status.st_mtime_ns)
    return found, directories


# The asyncio callbacks scheduled since the last reset (WebLoop.call_later, which call_soon uses).
_pending_handles: list[asyncio.Handle] = []
_call_later = pyodide.webloop.WebLoop.call_later


def _tracked_call_later(self, delay, callback, *args, context=None):
    handle = _call_later(self, delay, callback, *args, context=context)
    _pending_handles.append(handle)
    return handle


_baseline: _Baseline | None = None


def _audit(event, args):
    if event == "object.__setattr__":  # raised for a function's __code__, __defaults__, __kwdefaults__
        if _baseline is not None and id(args[0]) in _baseline.shared:
            raise TypeError(f"scripts may not change {args[1]!r} of a shared module's function")
        return
    what = _REFUSED_EVENTS.get(event)
    if what is not None:
        # For sys.addaudithook CPython drops the new hook and the error quietly.
        raise RuntimeError(f"{what} are not available to Pymark scripts")


def seal():
    """Records the interpreter every call starts from; once, at boot, before the snapshot."""
    global _baseline
    if _baseline is None:
        # Pyodide's own API holds the interrupt buffer, the heap and the file system: no script's.
        sys.modules.pop("pyodide_js", None)
        pyodide.webloop.WebLoop.call_later = _tracked_call_later  # pyright: ignore[reportAttributeAccessIssue]
        sys.addaudithook(_audit)
        _baseline = _Baseline()
        _rebind(globals(), "_baseline", _baseline)  # recorded while it was still None


def _rebind(namespace, name, value):
    """Sets `name` in `namespace` and in its recorded copy, so reset() keeps the new value."""
    assert _baseline is not None
    for recorded, saved in _baseline.bindings:
        if recorded is namespace:
            saved[name] = value
    namespace[name] = value


# The worker's own reset of its JavaScript globals and timers (python-guard.ts), when it has one.
_host_reset = None


def set_host_reset(host_reset):
    """Has reset() also call `host_reset`, so the JavaScript side is put back between two scripts too."""
    _rebind(globals(), "_host_reset", host_reset)


def cap_recursion_limit(capped_setter):
    """Makes `capped_setter` (python-guard.ts: at most MAX_RECURSION_LIMIT) sys.setrecursionlimit, for good."""
    if _baseline is None:
        raise IsolationBroken("the interpreter was never sealed")
    _rebind(sys.__dict__, "setrecursionlimit", capped_setter)


def restamp_files():
    """Records the files every call starts from again: after a snapshot restore, before any script runs.

    Pyodide makes its file system afresh on a restore, so the times (and the files written before the
    snapshot) recorded by seal() no longer describe it.
    """
    if _baseline is None:
        raise IsolationBroken("the interpreter was never sealed")
    _baseline.files, _baseline.directories = _files()


def reset():
    """Puts back what a script may have changed; raises IsolationBroken if it cannot."""
    baseline = _baseline
    if baseline is None:
        raise IsolationBroken("the interpreter was never sealed")
    _cancel_pending_work()
    if _host_reset is not None:
        _host_reset()
    sys.settrace(None)
    sys.setprofile(None)
    _free_monitoring_tools()
    # A module imported during a call may have been changed there: the next import reloads it.
    if sys.modules.keys() != baseline.modules.keys() or any(
        sys.modules.get(name) is not module for name, module in baseline.modules.items()
    ):
        sys.modules.clear()
        sys.modules.update(baseline.modules)
    for namespace, saved in baseline.bindings:
        if len(namespace) != len(saved) or any(namespace.get(name, namespace) is not value for name, value in saved.items()):
            namespace.clear()
            namespace.update(saved)
    for cls, saved in baseline.classes:
        attributes = vars(cls)
        if len(attributes) != len(saved) or any(attributes.get(name, saved) is not value for name, value in saved.items()):
            for name in attributes.keys() - saved.keys():
                delattr(cls, name)
            for name, value in saved.items():
                if attributes.get(name, saved) is not value:
                    setattr(cls, name, value)
    for container, saved in baseline.containers:
        if container != saved:
            if isinstance(container, list):
                container[:] = saved
            else:
                container.clear()
                container.update(saved)
    for name in set(linecache.cache) - baseline.lines:
        del linecache.cache[name]
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)
    _restore_files(baseline.files, baseline.directories)


def _cancel_pending_work():
    """Ends the asyncio tasks and callbacks a call left behind, so none of them runs later."""
    for task in asyncio.all_tasks(asyncio.get_event_loop_policy().get_event_loop()):
        task.cancel()
    for handle in _pending_handles:
        handle.cancel()
    _pending_handles.clear()


def _free_monitoring_tools():
    for tool in range(6):  # sys.monitoring's tool ids; 6 and 7 are CPython's own
        if sys.monitoring.get_tool(tool) is not None:
            sys.monitoring.set_events(tool, 0)
            sys.monitoring.free_tool_id(tool)


def _restore_files(saved, saved_directories):
    current, directories = _files()
    for path, stamp in current.items():
        if path not in saved:
            os.remove(path)
        elif saved[path] != stamp:
            raise IsolationBroken(f"a script changed {path}")
    missing = saved.keys() - current.keys()
    if missing:
        raise IsolationBroken(f"a script removed {min(missing)}")
    kept = set(saved_directories)
    for directory in reversed(directories):  # os.walk lists a directory before what it holds
        if directory not in kept:
            os.rmdir(directory)
