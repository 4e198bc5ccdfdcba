# Pymark installs python/pymark_site.py under this name (src/runtime/python-modules.ts).
from pymark_site import *  # noqa: F403
