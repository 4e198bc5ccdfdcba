"""Runs one Pymark utility script. Installed once per Pyodide instance by python-modules.ts."""

import ast
import builtins
import linecache
import sys

from _pymark_errors import describe
from _pymark_reference import awaited
from _pymark_script_actions import begin_recording, end_recording
from _pymark_syntax import has_main_guard
from _pymark_wire import RunResult, RunReturned


def _input(prompt=""):
    """Stands in for input(): a script runs without a console, so nothing could ever answer."""
    raise EOFError("input() has no console to read from in Pymark; put the value in the script instead")


builtins.input = _input


def _ended_well(return_value: str | None) -> RunReturned:
    """A run's result when it ended well, with the changes it asked for (pymark.create_post…), if any."""
    result: RunReturned = {"kind": "ok", "returnValue": return_value}
    actions = end_recording()
    if actions:
        result["actions"] = actions
    return result


def run_script(code: str, file_name: str, entrypoint: str) -> RunResult:
    """Runs `code` as `file_name` in a fresh __main__ namespace, then calls its `entrypoint()` if it has one.

    A script with a top-level `if __name__ == "__main__":` calls its entrypoint itself, so it is not
    called a second time. Returns wire.py's `RunResult` for python-runner.ts: `returnValue` is the
    repr of what the entrypoint returned, or None. The interpreter was put back before the call
    (python-guard.ts).
    """
    # A fresh dict per run: scripts must not see each other's (or an earlier run's) globals.
    namespace = {"__name__": "__main__"}
    # The script exists only in memory; registering it lets tracebacks quote its lines.
    linecache.cache[file_name] = (len(code), None, code.splitlines(keepends=True), file_name)
    # What the utility asks to change (pymark.create_post…); kept only if the run ends well.
    begin_recording()
    try:
        tree = ast.parse(code, file_name)
        exec(compile(tree, file_name, "exec", dont_inherit=True), namespace)
        function = None if has_main_guard(tree) else namespace.get(entrypoint)
        # An `async def main` is awaited, as the reference desktop app does.
        result = awaited(function()) if callable(function) else None
        # repr, not str: it tells 'None' from None and "1" from 1, and a broken __repr__ is the
        # script's error, so it is computed inside the try.
        return _ended_well(None if result is None else repr(result))
    except SystemExit as exit_request:
        if exit_request.code is None or exit_request.code == 0:
            return _ended_well(None)
        return {"kind": "error", **describe(exit_request, file_name)}
    except KeyboardInterrupt as interrupt:
        return {"kind": "interrupted", **describe(interrupt, file_name)}
    except BaseException as error:  # every failure of the script is reported; none escapes
        return {"kind": "error", **describe(error, file_name)}
    finally:
        end_recording()  # a failed run's actions are dropped: none of them is applied
        # Output still sitting in Python's line buffers belongs to this run.
        sys.stdout.flush()
        sys.stderr.flush()
        linecache.cache.pop(file_name, None)
