"""Builds the parts of the dict a macro's render(context) receives from a render batch.

Each call gets its own copy of the env and post a batch shares, so a macro that changes its context
changes nothing another macro sees; copier plans that copy once per distinct env or post.
"""

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

    The RecordingPost is itself the copy (one C-level dict copy); with `nested_too` its lists and
    dicts are copied as well, so that no call's changes reach another's post.
    """
    nested = [(key, copier(value)) for key, value in post.items() if type(value) in _CONTAINERS] if nested_too else []

    def fresh():
        recording = RecordingPost(post)
        for key, copy in nested:
            recording[key] = copy()
        return recording

    return fresh


class RecordingPost(dict):
    """The post a macro gets, as a dict that notes which of its keys the macro read.

    A call whose output depends only on the keys it read can be reused while those keys keep their
    values: an autosave that changes `updated_at` then re-runs only the macros that read it. Every
    way of reading the whole dict at once (iterating, items(), repr, ==, json.dumps, dict(post), ...)
    goes through a method below that notes "all of it", so nothing is read without being noted.
    """

    __slots__ = ("read_keys", "read_all")

    def __init__(self, data):
        super().__init__(data)
        self.read_keys = set()
        self.read_all = False

    def reads(self):
        """The keys read, sorted, or None when the whole post was."""
        return None if self.read_all else sorted(self.read_keys)

    def _all(self):
        self.read_all = True

    def __getitem__(self, key):
        self.read_keys.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read_keys.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.read_keys.add(key)
        return super().__contains__(key)

    def setdefault(self, key, default=None):
        self.read_keys.add(key)
        return super().setdefault(key, default)

    def pop(self, key, *default):
        self.read_keys.add(key)
        return super().pop(key, *default)

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
