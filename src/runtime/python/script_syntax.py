"""What Python's own compiler says about a script, without running any of it."""

import ast
import warnings

from _pymark_errors import one_line


def check_script(code, file_name):
    """{"diagnostics": [...], "entrypoints": [...]} for the editor.

    Compiles the script's syntax tree (which also catches errors the parser alone lets through, such
    as `return` outside a function) but executes nothing. Python stops at the first error, so there
    is at most one error diagnostic; SyntaxWarnings (e.g. an invalid escape sequence) are reported
    too. Lines and columns are 1-based, in characters; `endColumn` is exclusive, as in Python.
    Entrypoints are the top-level functions, in order; a script that does not parse has none.
    """
    diagnostics = []
    entrypoints = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tree = ast.parse(code, file_name)
            compile(tree, file_name, "exec", dont_inherit=True)
            entrypoints = top_level_functions(tree)
        except SyntaxError as error:
            diagnostics.append(_error_diagnostic(error))
        except ValueError as error:  # e.g. a null byte, which has no position
            diagnostics.append({"severity": "error", "line": 1, "column": 1, "message": one_line(error)})
    for warning in caught:
        if issubclass(warning.category, SyntaxWarning):
            diagnostics.append(
                {
                    "severity": "warning",
                    "line": warning.lineno or 1,
                    "column": 1,
                    "message": f"SyntaxWarning: {warning.message}",
                }
            )
    return {"diagnostics": diagnostics, "entrypoints": entrypoints}


def top_level_functions(tree):
    """Names of the functions defined at the top of the module, each once, in order of definition."""
    functions = (node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return list(dict.fromkeys(functions))


def has_main_guard(tree):
    """True if the module has a top-level `if __name__ == "__main__":`, so it calls its entrypoint itself."""
    return any(isinstance(node, ast.If) and _is_main_test(node.test) for node in tree.body)


def _is_main_test(test):
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return any(_is_name(side) for side in sides) and any(_is_main_string(side) for side in sides)


def _is_name(node):
    return isinstance(node, ast.Name) and node.id == "__name__"


def _is_main_string(node):
    return isinstance(node, ast.Constant) and node.value == "__main__"


def _error_diagnostic(error):
    line = error.lineno or 1
    column = error.offset or 1
    diagnostic = {"severity": "error", "line": line, "column": column, "message": one_line(error)}
    end_line = error.end_lineno or 0
    end_column = error.end_offset or 0
    if end_column > 0 and (end_line, end_column) > (line, column):
        diagnostic["endLine"] = end_line
        diagnostic["endColumn"] = end_column
    return diagnostic
