"""The static Django URL graph: root URLconf and route table. The framework-neutral parts
(matching, collisions, bindings, the mount check, the table format) are ``acp_lint.routes``."""

from acp_lint.hosts.django.urls.graph import build_route_table
from acp_lint.hosts.django.urls.settings_reader import RootUrlconfResult, find_root_urlconf

__all__ = ["RootUrlconfResult", "build_route_table", "find_root_urlconf"]
