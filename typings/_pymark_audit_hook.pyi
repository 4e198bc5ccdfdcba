# The installed name of src/runtime/python/audit_hook.py (python-modules.ts).
from audit_hook import *  # noqa: F403
