# Pymark installs python/script_actions.py under this name (src/runtime/python-modules.ts).
from script_actions import *  # noqa: F403
