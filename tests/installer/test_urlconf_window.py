"""A huge URLconf is edited through a window: the result must equal the full libcst edit."""

from __future__ import annotations

import random

import pytest
from acp_installer.hosts.django import edits, urlconf_window

HEADS = [
    "from django.urls import include, path, re_path\n\nfrom . import views\n\n",
    "from django.urls import re_path\nfrom django.urls import path as p\n\n",
    '"""Root URLs."""\nfrom django.contrib import admin\nfrom django.urls import (\n'
    "    re_path,\n)\n\n",
    "import django.urls\n\n",
]


def _element(rng: random.Random, index: int) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"    path('items{index}/', views.index, name='i{index}'),  # note {index}\n"
    if kind == 1:
        return f'    re_path(r"^a{index}/(?P<pk>[0-9]+)/$", views.detail),\n'
    if kind == 2:
        return f'    path("x{index}/", include("shop.urls")),\n'
    if kind == 3:
        return f"    views.extra_{index},\n"
    if kind == 4:
        return f'    path(route="k{index}/", view=views.index),\n\n'
    return f'    path(f"f{index}/", views.index),\n    # a comment line\n'


def _urlconf(rng: random.Random, count: int, mount_at: int | None) -> str:
    body = "".join(_element(rng, i) for i in range(count))
    if mount_at is not None:
        lines = body.splitlines(keepends=True)
        lines.insert(mount_at, '    path("old/acp/", include("acp.urls")),\n')
        body = "".join(lines)
    tail = rng.choice(["", "\nhandler404 = 'views.missing'\n", "\nurlpatterns += []\n"])
    return rng.choice(HEADS) + "urlpatterns = [\n" + body + "]\n" + tail


@pytest.mark.parametrize("seed", range(40))
def test_window_edit_equals_the_full_edit(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.choice([3, 70, 200, 400])
    mount_at = rng.choice([None, None, 0, 5, 90, 180])
    mount_at = None if mount_at is not None and mount_at > count else mount_at
    source = edits.Source("hostsite/urls.py", _urlconf(rng, count, mount_at), False)
    tree = urlconf_window.parse(source)
    assert tree is not None
    base = rng.choice(["/api/acp", "/acp"])
    assert urlconf_window.add_mount(source, base, "acp", tree) == edits.add_mount(
        source, base, "acp"
    )
    assert urlconf_window.missing_django_urls_imports(
        source, tree
    ) == edits.missing_django_urls_imports(source)


def test_a_big_urlconf_really_uses_the_window() -> None:
    rng = random.Random(7)
    source = edits.Source("u.py", _urlconf(rng, 300, None), False)
    tree = urlconf_window.parse(source)
    assert tree is not None
    end = urlconf_window._window_end(source, tree, "acp")
    assert end is not None and end < len(source.text) // 4


def test_an_import_after_urlpatterns_falls_back_to_the_full_edit() -> None:
    rng = random.Random(3)
    text = _urlconf(rng, 300, None) + "from django.urls import include\n"
    source = edits.Source("u.py", text, False)
    tree = urlconf_window.parse(source)
    assert tree is not None and urlconf_window._window_end(source, tree, "acp") is None
    assert urlconf_window.add_mount(source, "/acp", "acp", tree) == edits.add_mount(
        source, "/acp", "acp"
    )
