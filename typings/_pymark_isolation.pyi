# The installed name of src/runtime/python/isolation.py (python-modules.ts).
from isolation import *  # noqa: F403
