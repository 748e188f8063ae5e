"""URLconfs that live outside the project but are common enough to model exactly.

``admin.site.urls`` ends with a catch-all (``final_catch_all_view`` is on by default), so it is
modelled as one route that takes every path under its prefix. Third-party modules not listed
here are reported as unresolved where they could serve the endpoint path.
"""

from __future__ import annotations

from acp_lint.hosts.django.urls.patterns import regex_part, route_part
from acp_lint.hosts.django.urls.values import EndpointEntry, SeqValue
from acp_lint.span import Span

_AUTH_URLS = [
    ("login/", "django.contrib.auth.views.LoginView", "login"),
    ("logout/", "django.contrib.auth.views.LogoutView", "logout"),
    ("password_change/", "django.contrib.auth.views.PasswordChangeView", "password_change"),
    (
        "password_change/done/",
        "django.contrib.auth.views.PasswordChangeDoneView",
        "password_change_done",
    ),
    ("password_reset/", "django.contrib.auth.views.PasswordResetView", "password_reset"),
    (
        "password_reset/done/",
        "django.contrib.auth.views.PasswordResetDoneView",
        "password_reset_done",
    ),
    (
        "reset/<uidb64>/<token>/",
        "django.contrib.auth.views.PasswordResetConfirmView",
        "password_reset_confirm",
    ),
    (
        "reset/done/",
        "django.contrib.auth.views.PasswordResetCompleteView",
        "password_reset_complete",
    ),
]

KNOWN_MODULES: dict[str, list[tuple[str, str, str]]] = {
    "django.contrib.auth.urls": _AUTH_URLS,
    "django.conf.urls.i18n": [("setlang/", "django.views.i18n.set_language", "set_language")],
    "rest_framework.urls": [
        ("login/", "django.contrib.auth.views.LoginView", "login"),
        ("logout/", "django.contrib.auth.views.LogoutView", "logout"),
    ],
}

ADMIN_URLS = {"django.contrib.admin.site.urls", "django.contrib.admin.sites.site.urls"}


def known_module_patterns(dotted: str, span: Span) -> SeqValue | None:
    """The patterns of a known external URLconf, positioned at the include() that uses it."""
    routes = KNOWN_MODULES.get(dotted)
    if routes is None:
        return None
    return SeqValue(
        tuple(
            EndpointEntry(route_part(route, True), "known", view, name, span, dotted)
            for route, view, name in routes
        )
    )


def admin_patterns(span: Span, module: str) -> SeqValue:
    """``admin.site.urls``: every path under the prefix reaches an admin view."""
    part = regex_part(r"(?P<url>.*)$", True)
    return SeqValue((EndpointEntry(part, "admin", "admin.site.urls", None, span, module),))
