"""Ends the asyncio work a call left behind (docs/security.md, "Timers and tasks").

Run when each call ends (python-guard.ts), so that no Python code runs between calls. Cancelling a
task can run a script's own task class, which can read this module's globals through its frames:
they hold nothing but what is below, and the memory wall puts them back before another script.
"""

import asyncio

# Pyodide's event loop; imported at boot, while it can still reach Pyodide's API (python-guard.ts
# takes `pyodide_js` away from scripts after boot).
import pyodide.webloop  # pyright: ignore[reportMissingImports]  (Pyodide's own, not on this machine)

# The asyncio callbacks scheduled since the last call ended (WebLoop.call_later, which call_soon uses).
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
