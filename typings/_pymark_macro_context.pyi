# Pymark installs python/macro_context.py under this name (src/runtime/python-modules.ts).
from macro_context import *  # noqa: F403
