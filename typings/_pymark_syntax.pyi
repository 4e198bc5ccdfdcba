# Pymark installs python/script_syntax.py under this name (src/runtime/python-modules.ts).
from script_syntax import *  # noqa: F403
