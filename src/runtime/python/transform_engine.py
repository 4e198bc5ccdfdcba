"""Runs a transform: `transform(post)` on the draft made from an incoming post.

`createTransformEngine` (python-services.ts) calls transform_post(request_json) with the JSON text
of a `TransformRequest` and gets back the JSON text of a `TransformResult` (wire.py;
src/runtime/protocol.ts, `transformResultSchema`). The page checks the result against the transform
contract (src/core/transform-abi.ts). Scripts share the macro engine's module cache: compiled once
per version, each in its own namespace.
"""

import json
import sys

from _pymark_errors import describe
from _pymark_macro_engine import Printed, as_json_data, encode_results, modules
from _pymark_reference import awaited
from _pymark_wire import TransformRequest, TransformResult


# A transform runs once per share or Run, and its author reads all it printed: far more than a macro's.
PRINTED_CAPACITY = 100_000


def transform_post(request_json: str) -> str:
    """Calls the script's transform on the post; the interpreter was put back before (python-guard.ts)."""
    request: TransformRequest = json.loads(request_json)
    script = request["script"]
    file_name = script["fileName"]
    capture = Printed(PRINTED_CAPACITY)
    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    answer: TransformResult
    try:
        try:
            function = modules.load(script).get(script["entrypoint"])
            if not callable(function):
                message = f"{file_name} defines no function {script['entrypoint']}(post)"
                answer = {"kind": "error", "message": message, "line": None, "traceback": message}
            else:
                # An `async def transform` is awaited, as the reference desktop app does.
                result = awaited(function(request["post"]))
                # The type's name words a refusal of what JSON cannot hold (a set becomes null).
                answer = {"kind": "returned", "result": as_json_data(result), "type": type(result).__name__}
        except KeyboardInterrupt as interrupt:
            # The page knows whether it asked for this (the time limit, a stop) or the script raised it
            # itself. Asked for, what it printed until then is the best clue to where it was stuck.
            answer = {"kind": "interrupted", **describe(interrupt, file_name)}
        except BaseException as error:  # the script's failure is the answer, never the worker's
            answer = {"kind": "error", **describe(error, file_name)}
    finally:
        sys.stdout, sys.stderr = streams
    answer["printed"] = capture.take()
    return encode_results(answer)
