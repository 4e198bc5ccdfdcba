"""Ends the asyncio work a call left behind (docs/security.md, "Timers and tasks").

Apart from isolation.py on purpose: cancelling a task can run a script's code (a task class of its
own), and code running here can read this module's globals through its frames. They hold nothing
but what is below; isolation.py's, which hold the reset, stay out of every script's reach.
"""

import asyncio

# Pyodide's event loop; imported at boot, while it can still reach Pyodide's API (python-guard.ts
# takes `pyodide_js` away from scripts after boot).
import pyodide.webloop  # pyright: ignore[reportMissingImports]  (Pyodide's own, not on this machine)

# The asyncio callbacks scheduled since the last reset (WebLoop.call_later, which call_soon uses).
_pending_handles: list[asyncio.Handle] = []
_call_later = pyodide.webloop.WebLoop.call_later


def _tracked_call_later(self, delay, callback, *args, context=None):
    handle = _call_later(self, delay, callback, *args, context=context)
    _pending_handles.append(handle)
    return handle


def track_callbacks():
    """Has every asyncio callback scheduled from now on cancelled by the next cancel_pending_work()."""
    pyodide.webloop.WebLoop.call_later = _tracked_call_later  # pyright: ignore[reportAttributeAccessIssue]


def cancel_pending_work():
    """Ends the asyncio tasks and callbacks a call left behind, so none of them runs later."""
    for task in asyncio.all_tasks(asyncio.get_event_loop_policy().get_event_loop()):
        task.cancel()
    for handle in _pending_handles:
        handle.cancel()
    _pending_handles.clear()
