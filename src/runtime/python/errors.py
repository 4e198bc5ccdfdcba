"""Describes a script's exception the way its author needs it: only their own frames, and their line.

Shared by the utility runner and the macro and transform engines, so a traceback reads the same
wherever it came from. Its message and traceback are cut here to what a page can show, so a 30 MB
message never crosses to the page (whose own cut, protocol.ts, stays the bound out of a script's reach).
"""

import traceback

from _pymark_wire import PythonException

# src/core/size-limits.ts's `shownMessage` and `shownTraceback` (tests/node/macro-engine.test.ts pins them equal).
SHOWN_MESSAGE = 10_000
SHOWN_TRACEBACK = 100_000


def describe(error: BaseException, file_name: str) -> PythonException:
    """{"traceback", "message", "line"} for `error` raised while running the script `file_name`."""
    user_traceback = _from_first_user_frame(error.__traceback__, file_name)
    return {
        # Without user frames (a SyntaxError from compile) there is no "Traceback" header, only the
        # file/line/caret display, as when Python itself runs a file that does not compile.
        "traceback": shorten_lines(
            "".join(traceback.format_exception(type(error), error, user_traceback)), SHOWN_MESSAGE, SHOWN_TRACEBACK
        ),
        "message": shorten_text(one_line(error), SHOWN_MESSAGE),
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


def shorten_text(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, saying how much was left out: size-limits.ts's `shortenText`."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters not shown; at most {limit:,} are)"


def shorten_lines(text: str, line_limit: int, limit: int) -> str:
    """`text` with each line cut to `line_limit`, then the whole to `limit`: size-limits.ts's `shortenLines`."""
    lines = text.split("\n")
    if all(len(line) <= line_limit for line in lines):
        return shorten_text(text, limit)
    return shorten_text("\n".join(shorten_text(line, line_limit) for line in lines), limit)
