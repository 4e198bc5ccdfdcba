# Pymark installs python/macro_engine.py under this name (src/runtime/python-modules.ts).
from macro_engine import *  # noqa: F403
