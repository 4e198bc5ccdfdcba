# Pymark installs python/errors.py under this name (src/runtime/python-modules.ts).
from errors import *  # noqa: F403
