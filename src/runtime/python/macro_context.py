"""Builds the parts of the dict a macro's render(context) receives from a render batch.

Params and args travel tagged with their ABI type (src/core/abi.ts, `MacroValue`); native() turns
each into the Python value its author wrote.

Each call gets its own copy of the env and post a batch shares, so a macro that changes its context
changes nothing another macro sees; copier plans that copy once per distinct env or post.
"""

_CONTAINERS = (dict, list)


def native(value):
    """A tagged ABI value ({"type", "value"}) as the Python value its type names.

    JSON reads a float with a whole value (2.0, written 2) back as int, hence the tag.
    """
    bare = value["value"]
    return float(bare) if value["type"] == "float" else bare


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


class RecordingPost(dict):
    """The post a macro gets, as a dict that notes which of its keys the macro read.

    A call whose output depends only on the keys it read can be reused while those keys keep their
    values: an autosave that changes `updated_at` then re-runs only the macros that read it. Every
    way of reading the whole dict at once (iterating, items(), repr, ==, json.dumps, dict(post), ...)
    goes through a method below that notes "all of it", so nothing is read without being noted.

    `add_keys(post)` adds `added_keys` (the reference app's, reference_compat.py) in place, but only
    once the macro reads one of them, reads the whole post or changes it: most macros never do, and
    adding them costs a site lookup per call.
    """

    __slots__ = ("read_keys", "read_all", "_add_keys", "_added_keys")

    def __init__(self, data, add_keys=None, added_keys=frozenset()):
        super().__init__(data)
        self.read_keys = set()
        self.read_all = False
        self._add_keys = add_keys
        self._added_keys = added_keys

    def reads(self):
        """The keys read, sorted, or None when the whole post was."""
        return None if self.read_all else sorted(self.read_keys)

    def _complete(self):
        add_keys = self._add_keys
        if add_keys is not None:
            self._add_keys = None
            add_keys(self)

    def _read(self, key):
        self.read_keys.add(key)
        if self._add_keys is not None and key in self._added_keys:
            self._complete()

    def _all(self):
        self.read_all = True
        self._complete()

    def __getitem__(self, key):
        self._read(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._read(key)
        return super().get(key, default)

    def __contains__(self, key):
        self._read(key)
        return super().__contains__(key)

    def setdefault(self, key, default=None):
        self.read_keys.add(key)
        self._complete()
        return super().setdefault(key, default)

    def pop(self, key, *default):
        self.read_keys.add(key)
        self._complete()
        return super().pop(key, *default)

    # A change comes after the added keys, so it is never overwritten by them.
    def __setitem__(self, key, value):
        self._complete()
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._complete()
        super().__delitem__(key)

    def update(self, *args, **kwargs):
        self._complete()
        super().update(*args, **kwargs)

    def __ior__(self, other):
        self._complete()
        return super().__ior__(other)

    def clear(self):
        self._complete()
        super().clear()

    def __iter__(self):
        self._all()
        return super().__iter__()

    def keys(self):
        self._all()
        return super().keys()

    def values(self):
        self._all()
        return super().values()

    def items(self):
        self._all()
        return super().items()

    def __reversed__(self):
        self._all()
        return super().__reversed__()

    def __len__(self):
        self._all()
        return super().__len__()

    def __repr__(self):
        self._all()
        return super().__repr__()

    def __eq__(self, other):
        self._all()
        return super().__eq__(other)

    def __ne__(self, other):
        self._all()
        return super().__ne__(other)

    def __or__(self, other):
        self._all()
        return dict(self.items()) | other

    def __ror__(self, other):
        self._all()
        return other | dict(self.items())

    def copy(self):
        self._all()
        return dict(self.items())

    def popitem(self):
        self._all()
        return super().popitem()

    def __reduce_ex__(self, protocol):
        self._all()
        return (dict, (dict(self.items()),))

    __hash__ = None  # type: ignore[assignment]  # a dict is unhashable; == is overridden above
