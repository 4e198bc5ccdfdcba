"""Keeps what one script does to the interpreter from reaching the next script (docs/security.md).

`seal()` runs once at boot, after Pymark's own modules are installed and before the memory snapshot
is taken: it records the interpreter as every script should find it and installs an audit hook.
Before any script runs, python-guard.ts takes that record with `hand_over()` and this module out of
`sys.modules`: from then on only the worker's JavaScript holds them, so no script can reach the
record by name and make the reset restore its own changes. The engines get the reset as an argument
(macro_engine.py, transform_engine.py, runner.py), so rebinding a name cannot turn it off.
`reset(baseline)` runs before and after each script's call and puts back every channel listed in
docs/security.md, each with its own test in tests/node/isolation.test.ts. A change it cannot put
back (a file of the standard library rewritten) raises `IsolationBroken`, which fails the call: the
page then replaces the worker.
"""

import _signal  # pyright: ignore[reportMissingImports]  (CPython's C half of `signal`: no Python wrapper runs)
import copyreg
import gc
import linecache
import os
import sys
import types
import warnings
from itertools import chain
from operator import is_, methodcaller
from typing import Any

from _pymark_audit_hook import make_audit_hook
from _pymark_pending_work import track_callbacks

# The built-ins the reset calls, bound here: a script can rebind them in `builtins`, whose own
# binding only the reset puts back, but not in this module, which no script can reach.
from builtins import all, delattr, dict, id, isinstance, len, list, map, min, reversed, set, setattr, type, zip  # noqa: A004

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
    # A tracer, a profiler or a monitoring callback is called as the reset itself starts, and would
    # find the record in its frame.
    "sys.settrace": "tracers (sys.settrace)",
    "sys.setprofile": "profilers (sys.setprofile)",
    "sys.monitoring.register_callback": "sys.monitoring callbacks",
}

# Modules a script may not import: ctypes reads and writes the interpreter's memory, past every
# other rule here (Pyodide ships it; none of Pymark's modules needs it).
_REFUSED_MODULES = ("_ctypes",)


# Py_TPFLAGS_HEAPTYPE: a class made by a class statement, whose attributes can be set.
_HEAP_TYPE = 1 << 9


class IsolationBroken(RuntimeError):
    """A script changed the interpreter in a way reset() cannot undo; the worker must be replaced."""


# The interpreter's own module table, whatever a script binds to sys.modules.
_modules = sys.modules

# A class's own attribute dict, read through type's descriptor: a metaclass cannot stand in for it.
_class_dict = type.__dict__["__dict__"].__get__
_values = methodcaller("values")  # a class's attributes are a mappingproxy, the saved ones a dict


class _Contents:
    """What some mappings hold, in order: each one's length, then its keys, then its values.

    `same_as` compares by identity, with C functions only (map, chain, operator.is_, len, a dict's
    own iterators): no code a script wrote runs while reset() looks, and no audit event is raised
    (id() would raise one per object). The recorded objects are held here, so a match is the same
    objects, not look-alikes. `values` is how to get a mapping's values: dict.values for dicts.

    Names of classes' attributes are compared with list ==, ten times as fast: type.__setattr__
    stores every name as an exact str (a str subclass is copied), so when all the recorded names are
    exact str too, == compares strings in C and runs no script's __eq__.
    """

    __slots__ = ("lengths", "keys", "values", "get_values", "exact_str_keys")

    def __init__(self, mappings, values, class_attributes=False):
        self.lengths = list(map(len, mappings))
        self.keys = list(chain.from_iterable(mappings))
        self.get_values = values
        self.values = list(chain.from_iterable(map(values, mappings)))
        self.exact_str_keys = class_attributes and set(map(type, self.keys)) <= {str}

    def same_as(self, mappings) -> bool:
        if list(map(len, mappings)) != self.lengths:
            return False
        keys = chain.from_iterable(mappings)
        if self.exact_str_keys:
            if list(keys) != self.keys:
                return False
        elif not all(map(is_, keys, self.keys)):
            return False
        return all(map(is_, chain.from_iterable(map(self.get_values, mappings)), self.values))


def _same_items(container, saved) -> bool:
    """Whether a list holds the saved items, or a dict the saved keys and values, by identity (in C)."""
    if len(container) != len(saved):
        return False
    if type(container) is list:
        return all(map(is_, container, saved))
    return all(map(is_, container, saved)) and all(map(is_, container.values(), saved.values()))


class _Baseline:
    __slots__ = (
        "modules",
        "module_contents",
        "bindings",
        "namespaces",
        "binding_contents",
        "classes",
        "class_attributes",
        "class_contents",
        "containers",
        "signal_handlers",
        "environment",
        "shared",
        "files",
        "directories",
        "lines",
        "line_names",
    )

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
        # os.environ's own attributes (its data, its encoders and decoders) are read by every script.
        self.bindings.append((vars(os.environ), dict(vars(os.environ))))
        # Mutable objects that the standard library reads from, put back by content; each compared by
        # the identity of what it holds, against its saved copy.
        self.containers: list[tuple[Any, Any]] = []
        for container in (
            sys.path,
            sys.meta_path,
            sys.path_hooks,
            sys.path_importer_cache,
            warnings.filters,
            copyreg.dispatch_table,
            # A collector callback runs inside whatever call comes next, and could read its frames.
            gc.callbacks,
        ):
            self.containers.append((container, _copy(container)))
        # Stop interrupts a call through SIGINT: a handler a script left would run inside the next
        # call it interrupts, handed that call's frame.
        self.signal_handlers = [(number, _get_signal(number)) for number in _signal.valid_signals()]
        self.environment = _Environment()
        self.files, self.directories = _files()
        self.lines = list(linecache.cache)
        self.module_contents = _Contents([self.modules], dict.values)
        # Views of the classes' own attribute dicts, made once: they follow every change.
        self.class_attributes = list(map(_class_dict, (cls for cls, _ in self.classes)))
        self.class_contents = _Contents([saved for _, saved in self.classes], _values, class_attributes=True)
        self.remember_bindings()

    def remember_bindings(self):
        """Records the contents of the saved namespaces (again, after one of them was rebound)."""
        self.namespaces = [namespace for namespace, _ in self.bindings]
        self.binding_contents = _Contents([saved for _, saved in self.bindings], dict.values)

    def remember_classes(self):
        """Records the classes' attributes as they stand, once each is put back.

        They are the saved ones then, but maybe in another order (an attribute deleted and set again
        goes last): the order the next check expects.
        """
        self.class_contents = _Contents(self.class_attributes, _values, class_attributes=True)


class _Environment:
    """os.environ as every script should find it.

    Compared by the identity of its encoded keys and values; once put back, os.environ holds newly
    encoded ones, so the copy that is compared against is taken again.
    """

    __slots__ = ("saved", "data")

    def __init__(self):
        self.saved = dict(os.environ)
        self.remember()

    def remember(self):
        self.data = dict(os.environ._data)  # pyright: ignore[reportAttributeAccessIssue]  (CPython's own)

    def changed(self):
        return not _same_items(os.environ._data, self.data)  # pyright: ignore[reportAttributeAccessIssue]

    def put_back(self):
        os.environ.clear()
        os.environ.update(self.saved)
        self.remember()


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


# Called by each reset, bound here: a script can rebind the names in `sys`, `gc` and `_signal`.
_get_tool = sys.monitoring.get_tool
_set_events = sys.monitoring.set_events
_free_tool_id = sys.monitoring.free_tool_id
_gc_disable = gc.disable
_gc_enable = gc.enable
_gc_isenabled = gc.isenabled
_get_signal = _signal.getsignal
_set_signal = _signal.signal

# The record seal() makes, here only until python-guard.ts takes it (hand_over).
_sealed: _Baseline | None = None


def seal():
    """Records the interpreter every call starts from; once, at boot, before the snapshot."""
    global _sealed
    if _sealed is None:
        # Pyodide's own API holds the interrupt buffer, the heap and the file system: no script's.
        sys.modules.pop("pyodide_js", None)
        track_callbacks()
        _sealed = _Baseline()
        sys.addaudithook(make_audit_hook(_sealed.shared, _REFUSED_EVENTS, _REFUSED_MODULES))


def hand_over():
    """Returns the record seal() made and takes it, and this module, out of every script's reach.

    python-guard.ts calls it once, before any script runs, and keeps what it returns; after the
    snapshot, since a snapshot boot must find the record here.
    """
    global _sealed
    baseline = _sealed
    if baseline is None:
        raise IsolationBroken("the interpreter was never sealed")
    _sealed = None
    name = __name__
    own = globals()
    del sys.modules[name]
    del baseline.modules[name]
    baseline.module_contents = _Contents([baseline.modules], dict.values)
    # Nothing reaches this namespace any more, so it need not be put back (nor its _sealed kept).
    baseline.bindings = [(namespace, saved) for namespace, saved in baseline.bindings if namespace is not own]
    baseline.remember_bindings()
    return baseline


def cap_recursion_limit(baseline, capped_setter):
    """Makes `capped_setter` (python-guard.ts: at most MAX_RECURSION_LIMIT) sys.setrecursionlimit, for good."""
    for recorded, saved in baseline.bindings:
        if recorded is sys.__dict__:
            saved["setrecursionlimit"] = capped_setter
    sys.setrecursionlimit = capped_setter
    baseline.remember_bindings()


def restamp_files():
    """Records the files every call starts from again: after a snapshot restore, before any script runs.

    Pyodide makes its file system afresh on a restore, so the times (and the files written before the
    snapshot) recorded by seal() no longer describe it.
    """
    if _sealed is None:
        raise IsolationBroken("the interpreter was never sealed")
    _sealed.files, _sealed.directories = _files()


def reset(baseline):
    """Puts `baseline` back (python-guard.ts holds it); raises IsolationBroken if it cannot.

    No script's code may run in here, where `baseline` is within reach of its frames: tracers,
    profilers and monitoring callbacks are refused (the audit hook), monitoring tools go first, the
    collector (its callbacks, finalizers of cycles) waits, and what the reset takes out
    (modules, bindings, entries) is returned, for the caller to let go of once the reset is over,
    rather than freed in here (a `__del__`, a weakref callback).
    """
    _free_monitoring_tools()
    collecting = _gc_isenabled()
    _gc_disable()
    try:
        return _put_back(baseline)
    finally:
        if collecting:
            _gc_enable()


def _put_back(baseline):
    dropped = []
    # First: the page's repeated SIGINT after a time limit would call a script's handler in here.
    for number, handler in baseline.signal_handlers:
        current = _get_signal(number)
        # SIG_DFL and SIG_IGN are ints, not always the same objects; a script's handler is none.
        if current is not handler and not (type(current) is int and type(handler) is int and current == handler):
            dropped.append(current)
            _set_signal(number, handler)
    # A module imported during a call may have been changed there: the next import reloads it.
    if not baseline.module_contents.same_as([_modules]):
        dropped.append(dict(_modules))
        _modules.clear()
        _modules.update(baseline.modules)
    # Each check below compares identities in C (`_Contents`); only what differs is put back.
    if not baseline.binding_contents.same_as(baseline.namespaces):
        for namespace, saved in baseline.bindings:
            if not _same_items(namespace, saved):
                dropped.append(dict(namespace))
                namespace.clear()
                namespace.update(saved)
    if not baseline.class_contents.same_as(baseline.class_attributes):
        for (cls, saved), attributes in zip(baseline.classes, baseline.class_attributes):
            # A class's attribute names are exact str (type.__setattr__ makes them so): hashing them
            # runs no script's code.
            dropped.append(dict(attributes))
            for name in attributes.keys() - saved.keys():
                delattr(cls, name)
            for name, value in saved.items():
                if attributes.get(name, saved) is not value:
                    setattr(cls, name, value)
        baseline.remember_classes()
    for container, saved in baseline.containers:
        if not _same_items(container, saved):
            dropped.append(_copy(container))
            if isinstance(container, list):
                container[:] = saved
            else:
                container.clear()
                container.update(saved)
    if baseline.environment.changed():
        dropped.append(dict(os.environ._data))  # pyright: ignore[reportAttributeAccessIssue]  (CPython's own)
        baseline.environment.put_back()
    lines = linecache.cache
    if len(lines) != len(baseline.lines) or not all(map(is_, lines, baseline.lines)):
        # Kept by identity, so no key a script put there is hashed.
        recorded = set(map(id, baseline.lines))
        kept = [(name, entry) for name, entry in lines.items() if id(name) in recorded]
        dropped.append(dict(lines))
        lines.clear()
        lines.update(kept)
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)
    _restore_files(baseline.files, baseline.directories)
    return dropped


def _free_monitoring_tools():
    for tool in (0, 1, 2, 3, 4, 5):  # sys.monitoring's tool ids; 6 and 7 are CPython's own
        if _get_tool(tool) is not None:
            _set_events(tool, 0)
            _free_tool_id(tool)


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
