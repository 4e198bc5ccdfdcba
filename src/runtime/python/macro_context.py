"""Builds the parts of the dict a macro's render(context) receives from a render batch.

In a batch (src/runtime/protocol.ts, `BatchItem`) params and args travel as bare JSON values:
json.loads already gives str, int, float and bool their Python types. The one value JSON cannot
type is a float with a whole value (2.0 is written 2 and read back as int), so the item lists those
separately and restore_whole_floats turns them into floats.

Each call gets its own copy of the env and post a batch shares, so a macro that changes its context
changes nothing another macro sees; copier plans that copy once per distinct env or post.
"""

_CONTAINERS = (dict, list)


def restore_whole_floats(params, args, whole_floats):
    """Makes floats of the values `whole_floats` ([param names, arg indexes]) lists, in place."""
    float_params, float_args = whole_floats
    for name in float_params:
        params[name] = float(params[name])
    for index in float_args:
        args[index] = float(args[index])


def copier(data):
    """A function that returns a fresh deep copy of `data` (a dict or list from json.loads) per call.

    The walk through `data` happens once, here: each call only copies the containers (strings,
    numbers, bools and None are immutable and shared), a flat one with a single C-level `.copy()`.
    """
    items = data.items() if type(data) is dict else enumerate(data)
    nested = [(key, copier(value)) for key, value in items if type(value) in _CONTAINERS]
    shallow = data.copy
    if not nested:
        return shallow

    def deep():
        fresh = shallow()
        for key, copy in nested:
            fresh[key] = copy()
        return fresh

    return deep
