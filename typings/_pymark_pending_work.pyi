# The installed name of src/runtime/python/pending_work.py (python-modules.ts).
from pending_work import *  # noqa: F403
