"""Legacy files of pre-standard systems: fixed-width CP932 resident files described by a layout YAML, their 外字
mapped through a per-municipality table, loaded into the registry or sent to a review queue.

``load_layout`` reads the layout, ``load_gaiji_map`` the 外字 map, ``import_file`` does the rest
(``kiban legacy_import`` on the command line). Policy, layout and sources: docs/migration/legacy.md.
"""

from .gaiji import GaijiMap, GaijiMapError, check_character, load_gaiji_map
from .layout import Layout, LayoutError, load_layout
from .reader import Issue, Report, import_file, plan

__all__ = [
    "GaijiMap",
    "GaijiMapError",
    "Issue",
    "Layout",
    "LayoutError",
    "Report",
    "check_character",
    "import_file",
    "load_gaiji_map",
    "load_layout",
    "plan",
]
