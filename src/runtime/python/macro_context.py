"""Builds the dict a macro's render(context) receives from its place in a render batch.

In a batch (src/runtime/protocol.ts, `BatchItem`) params and args travel as bare JSON values:
json.loads already gives str, int, float and bool their Python types. The one value JSON cannot
type is a float with a whole value (2.0 is written 2 and read back as int), so the item lists those
separately and they are turned into floats here.
"""

_CONTAINERS = (dict, list)


def build_context(macro, params, args, env, post, whole_floats=None):
    """{"macro", "params", "args", "env", "post"} as ABI v1 describes them.

    `params` and `args` are the item's own (fresh from json.loads) and are used as they are. `env`
    and `post` may be shared by every call of a batch, so each call gets its own copy: a macro that
    changes its context changes nothing another macro sees. `whole_floats` is [param names, arg
    indexes] of the values that must be floats.
    """
    if whole_floats:
        float_params, float_args = whole_floats
        for name in float_params:
            params[name] = float(params[name])
        for index in float_args:
            args[index] = float(args[index])
    return {"macro": macro, "params": params, "args": args, "env": dict(env), "post": _copy(post)}


def _copy(container):
    """A deep copy of JSON data, recursing only into containers: far cheaper than copy.deepcopy."""
    if type(container) is dict:
        return {key: _copy(value) if type(value) in _CONTAINERS else value for key, value in container.items()}
    return [_copy(value) if type(value) in _CONTAINERS else value for value in container]
