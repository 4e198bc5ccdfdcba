"""Builds the parts of the dict a macro's render(context) receives from a render batch.

Each call gets its own copy of the env and post a batch shares, so a macro that changes its context
changes nothing another call sees; copier plans that copy once per distinct env or post.
"""

from collections.abc import Callable, Mapping

_CONTAINERS = (dict, list)


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


def recording_copier(post, nested_too):
    """A function that returns a fresh RecordingPost of `post` per call, planned once per post.

    The RecordingPost is itself the copy (one C-level dict copy). With `nested_too`, each list or
    dict in it is copied too, when the call first reads it: most macros never read the post's lists,
    and a copy made up front for each call cost more than the rest of the post.
    """
    containers = [(key, value) for key, value in post.items() if type(value) in _CONTAINERS] if nested_too else []
    uncopied = {key: (value, copier(value)) for key, value in containers}

    def fresh():
        # Made without a Python __init__ (dict's own copies `post`): its state is set here.
        recording = RecordingPost(post)
        recording.read_keys = set()
        recording.read_all = False
        recording.uncopied = uncopied
        return recording

    return fresh


class RecordingPost(dict):
    """The post a macro gets, as a dict that notes which of its keys the macro read.

    A call whose output depends only on the keys it read can be reused while those keys keep their
    values: an autosave that changes `updated_at` then re-runs only the macros that read it. Every
    way of reading the whole dict at once (iterating, items(), repr, ==, json.dumps, dict(post), ...)
    goes through a method below that notes "all of it", so nothing is read without being noted.

    Its lists and dicts are shared with the other calls of its batch until read: every method here
    that hands out a value first puts a copy of it in place (`uncopied`: key → the shared value and
    the function that copies it). Only dict's own methods called on it directly (`dict.get(post,
    key)`) reach a shared one, and then only the other calls of the same script, whose module
    globals are shared with them anyway: the memory wall keeps other scripts apart.
    Made by `recording_copier` only.
    """

    __slots__ = ("read_keys", "read_all", "uncopied")

    read_keys: set[object]
    read_all: bool
    uncopied: Mapping[str, tuple[object, Callable[[], object]]]

    def _owned(self, key, value):
        """`value`, read at `key`; if it is still the batch's shared one, a copy of it, in its place."""
        shared = self.uncopied.get(key)
        if shared is None or value is not shared[0]:
            return value
        copy = shared[1]()
        if dict.__contains__(self, key):  # not once popped
            dict.__setitem__(self, key, copy)
        return copy

    def _all(self):
        self.read_all = True
        for key, (value, copy) in self.uncopied.items():
            if dict.get(self, key) is value:
                dict.__setitem__(self, key, copy())

    def __getitem__(self, key):
        self.read_keys.add(key)
        return self._owned(key, super().__getitem__(key))

    def get(self, key, default=None):
        self.read_keys.add(key)
        return self._owned(key, super().get(key, default))

    def __contains__(self, key):
        self.read_keys.add(key)
        return super().__contains__(key)

    def setdefault(self, key, default=None):
        self.read_keys.add(key)
        return self._owned(key, super().setdefault(key, default))

    def pop(self, key, *default):
        self.read_keys.add(key)
        return self._owned(key, super().pop(key, *default))

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
