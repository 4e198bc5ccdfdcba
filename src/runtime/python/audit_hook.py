"""The audit hook isolation.py installs at boot (docs/security.md, "One script, one call").

Made here, not in isolation.py: a refused event's traceback holds the hook's frame, and through it
the globals of the module that defined it, which a script can then rebind. This module holds nothing
else, and the hook reads only its arguments and its defaults, fixed when it is made and immutable,
so a script that walks to its frame can change nothing the next event of its own call meets (the
memory wall puts everything back before another script runs).
"""

from collections.abc import Callable, Iterable, Mapping


def make_audit_hook(
    shared_functions: Iterable[int], refused_events: Mapping[str, str], refused_modules: Iterable[str]
) -> Callable[[str, tuple[object, ...]], None]:
    """A hook that refuses changing the code or defaults of the functions with the ids
    `shared_functions`, the events `refused_events` (each with what to call it in the refusal), and
    importing `refused_modules`."""

    def audit(
        event,
        args,
        shared=frozenset(shared_functions),
        refused=tuple(refused_events.items()),
        modules=frozenset(refused_modules),
        identity=id,
        type_error=TypeError,
        runtime_error=RuntimeError,
        import_error=ImportError,
    ):
        if event == "object.__setattr__":  # raised for a function's __code__, __defaults__, __kwdefaults__
            if identity(args[0]) in shared:
                raise type_error(f"scripts may not change {args[1]!r} of a shared module's function")
            return
        if event == "import":
            if args[0] in modules:
                raise import_error(f"{args[0]} (memory access) is not available to Pymark scripts")
            return
        for name, what in refused:
            if event == name:
                # For sys.addaudithook CPython drops the new hook and the error quietly.
                raise runtime_error(f"{what} are not available to Pymark scripts")

    return audit
