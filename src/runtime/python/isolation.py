"""Prepares the interpreter that every script starts from (docs/security.md, "One script, one call").

`seal()` runs once at boot, after Pymark's own modules are installed and before the memory snapshot
is taken. The wall between scripts is not here: the worker copies the interpreter's whole memory
once boot is over and writes it back before another script runs (memory-wall.ts), so whatever a
script changes in here, and this module too, is gone before the next script. What is here keeps a
script from reading what shares its interpreter *during* its call: the engine's frames and state,
memory itself. (The preview's drafts are not in a macro's interpreter at all: src/runtime/python-site.ts.)
"""

import sys
import types

from _pymark_audit_hook import make_audit_hook
from _pymark_pending_work import track_callbacks

# Imported here so they are part of the state every script starts from: common in macros.
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

# Audit events a script may not cause: each would let it see objects its call does not own (the
# engine's state) or run code inside the engine's frames.
_REFUSED_EVENTS = {
    "sys.addaudithook": "audit hooks",
    "gc.get_objects": "gc.get_objects()",
    "gc.get_referrers": "gc.get_referrers()",
    "gc.get_referents": "gc.get_referents()",
    "sys._current_frames": "sys._current_frames()",
    "sys.settrace": "tracers (sys.settrace)",
    "sys.setprofile": "profilers (sys.setprofile)",
    "sys.monitoring.register_callback": "sys.monitoring callbacks",
}

# Modules a script may not import: ctypes reads and writes the interpreter's memory, past every
# other rule here (Pyodide ships it; none of Pymark's modules needs it).
_REFUSED_MODULES = ("_ctypes",)


def _shared_functions():
    """The ids of the functions the modules hold, their classes' too: the engine's among them."""
    shared: set[int] = set()
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if type(namespace) is not dict:
            continue
        for value in namespace.values():
            members = vars(value).values() if isinstance(value, type) else (value,)
            shared.update(id(member) for member in members if isinstance(member, types.FunctionType))
    return shared


_sealed = False


def seal():
    """Installs the audit hook and the asyncio tracking; once, at boot, before the snapshot."""
    global _sealed
    if _sealed:
        return
    _sealed = True
    # Pyodide's own API holds the interrupt buffer, the heap and the file system: no script's.
    sys.modules.pop("pyodide_js", None)
    track_callbacks()
    sys.addaudithook(make_audit_hook(_shared_functions(), _REFUSED_EVENTS, _REFUSED_MODULES))
