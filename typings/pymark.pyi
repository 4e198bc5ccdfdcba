# The module macros import; made at run time by python/pymark_site.py (install_site_module).
from pymark_site import Site

site: Site
