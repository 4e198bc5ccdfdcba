"""Turns a macro context from its ABI v1 wire form into the dict a macro's render(context) receives.

The wire form is the JSON text of a MacroContext (src/core/abi.ts), already validated by the caller.
Params and args travel as tagged values ({"type": "int", "value": 2}) because JSON cannot tell int 2
from float 2.0; here each becomes the native Python value of its tag.
"""

import json

_PYTHON_TYPES = {"str": str, "int": int, "float": float, "bool": bool}


def context_from_wire(wire_json):
    """Returns {"macro", "params", "args", "env", "post"} with params a dict and args a list of natives."""
    wire = json.loads(wire_json)
    return {
        "macro": wire["macro"],
        "params": {name: _native(value) for name, value in wire["params"].items()},
        "args": [_native(value) for value in wire["args"]],
        "env": wire["env"],
        "post": wire["post"],
    }


def _native(tagged):
    # The tag decides the type, not the JSON number: json.loads reads a float 2.0 sent as `2` as int.
    return _PYTHON_TYPES[tagged["type"]](tagged["value"])
