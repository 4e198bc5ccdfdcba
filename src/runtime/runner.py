"""Runs one Pymark script. Loaded once per Pyodide instance by python-runner.ts."""

import linecache
import sys
import traceback


def run_script(code, file_name):
    """Runs `code` as `file_name` in a fresh __main__ namespace and calls its main() if it has one.

    Returns a dict for python-runner.ts: {"kind": "ok", "returnValue": repr(main()) or None}, or
    {"kind": "error" | "interrupted", "traceback", "message", "line"}.
    """
    # A fresh dict per run: scripts must not see each other's (or an earlier run's) globals.
    namespace = {"__name__": "__main__"}
    # The script exists only in memory; registering it lets tracebacks quote its lines.
    linecache.cache[file_name] = (len(code), None, code.splitlines(keepends=True), file_name)
    try:
        exec(compile(code, file_name, "exec", dont_inherit=True), namespace)
        main = namespace.get("main")
        result = main() if callable(main) else None
        # repr, not str: it tells 'None' from None and "1" from 1, and a broken __repr__ is the
        # script's error, so it is computed inside the try.
        return {"kind": "ok", "returnValue": None if result is None else repr(result)}
    except SystemExit as exit_request:
        if exit_request.code is None or exit_request.code == 0:
            return {"kind": "ok", "returnValue": None}
        return _describe(exit_request, file_name, "error")
    except KeyboardInterrupt as interrupt:
        return _describe(interrupt, file_name, "interrupted")
    except BaseException as error:  # every failure of the script is reported; none escapes
        return _describe(error, file_name, "error")
    finally:
        # Output still sitting in Python's line buffers belongs to this run.
        sys.stdout.flush()
        sys.stderr.flush()
        linecache.cache.pop(file_name, None)


def _describe(error, file_name, kind):
    user_traceback = _from_first_user_frame(error.__traceback__, file_name)
    return {
        "kind": kind,
        # Without user frames (a SyntaxError from compile) there is no "Traceback" header, only the
        # file/line/caret display, as when Python itself runs a file that does not compile.
        "traceback": "".join(traceback.format_exception(type(error), error, user_traceback)),
        "message": _one_line(error),
        "line": _deepest_user_line(error, user_traceback, file_name),
    }


def _from_first_user_frame(tb, file_name):
    """Drops the frames above the script (Pyodide's <exec>, this runner) so only the user's code shows."""
    while tb is not None and tb.tb_frame.f_code.co_filename != file_name:
        tb = tb.tb_next
    return tb


def _deepest_user_line(error, tb, file_name):
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == file_name:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None and isinstance(error, SyntaxError) and error.filename == file_name:
        line = error.lineno
    return line


def _one_line(error):
    """The last line of a traceback, e.g. "ZeroDivisionError: division by zero"."""
    error_type = type(error)
    name = error_type.__qualname__
    if error_type.__module__ not in ("builtins", "__main__"):
        name = f"{error_type.__module__}.{name}"
    detail = error.msg if isinstance(error, SyntaxError) else str(error)
    return f"{name}: {detail}" if detail else name
