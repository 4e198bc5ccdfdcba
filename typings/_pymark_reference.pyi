# Pymark installs python/reference_compat.py under this name (src/runtime/python-modules.ts).
from reference_compat import *  # noqa: F403
