# Pymark installs python/wire.py under this name (src/runtime/python-modules.ts).
from wire import *  # noqa: F403
