"""Describes a script's exception the way its author needs it: only their own frames, and their line.

Shared by the utility runner and the macro engine, so a traceback reads the same wherever it came from.
"""

import traceback

from _pymark_wire import PythonException


def describe(error: BaseException, file_name: str) -> PythonException:
    """{"traceback", "message", "line"} for `error` raised while running the script `file_name`."""
    user_traceback = _from_first_user_frame(error.__traceback__, file_name)
    return {
        # Without user frames (a SyntaxError from compile) there is no "Traceback" header, only the
        # file/line/caret display, as when Python itself runs a file that does not compile.
        "traceback": "".join(traceback.format_exception(type(error), error, user_traceback)),
        "message": one_line(error),
        "line": _deepest_user_line(error, user_traceback, file_name),
    }


def one_line(error):
    """The last line of a traceback, e.g. "ZeroDivisionError: division by zero"."""
    error_type = type(error)
    name = error_type.__qualname__
    if error_type.__module__ not in ("builtins", "__main__"):
        name = f"{error_type.__module__}.{name}"
    detail = error.msg if isinstance(error, SyntaxError) else str(error)
    return f"{name}: {detail}" if detail else name


def _from_first_user_frame(tb, file_name):
    """Drops the frames above the script (Pyodide's <exec>, Pymark's own modules) so only the user's code shows."""
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
