"""Speed of the static URL graph on a large project: build, resolve, collision check.

Usage: python bench/url_resolver.py [--apps N] [--routes-per-app M] [--paths K] [--verify]
The project is Django's own real URLconfs (admindocs, auth, flatpages, DRF's login URLs,
copied in as project modules, plus ``admin.site.urls``) and N generated apps with M routes
each (path converters, anchored and unanchored regexes, a DRF router per fifth app).
``--verify`` also resolves every timed path with ``django.urls.resolve`` and checks that both
agree (one subprocess).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "urls"))

import django  # noqa: E402

from acp_lint.hosts.django.urls import build_route_table  # noqa: E402
from acp_lint.routes import find_collisions, resolve, suggest_base_paths  # noqa: E402
from acp_lint.sources import DiskTree  # noqa: E402

DJANGO = Path(django.__file__).parent
REAL_URLCONFS = {
    "vendor_admindocs": DJANGO / "contrib/admindocs/urls.py",
    "vendor_auth": DJANGO / "contrib/auth/urls.py",
    "vendor_flatpages": DJANGO / "contrib/flatpages/urls.py",
}


def generate(root: Path, apps: int, per_app: int, rng: random.Random) -> list[str]:
    """Write the project; return sample request paths."""
    files: dict[str, str] = {
        "manage.py": (
            'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
        ),
        "proj/__init__.py": "",
        "proj/settings.py": (
            "SECRET_KEY = 'x'\nDEBUG = False\nROOT_URLCONF = 'proj.urls'\n"
            "INSTALLED_APPS = ['django.contrib.admin', 'django.contrib.auth',"
            " 'django.contrib.contenttypes', 'django.contrib.sessions',"
            " 'django.contrib.messages', 'django.contrib.flatpages', 'django.contrib.sites',"
            " 'django.contrib.admindocs']\n"
        ),
        "proj/views.py": "def view(request, *args, **kwargs):\n    return None\n",
        "proj/viewsets.py": (
            "from rest_framework import viewsets\n\n"
            "class Things(viewsets.ModelViewSet):\n    pass\n"
        ),
    }
    for module, source in REAL_URLCONFS.items():
        files[f"{module}/__init__.py"] = ""
        files[f"{module}/urls.py"] = source.read_text()
    root_entries = [
        'path("admin/doc/", include("vendor_admindocs.urls"))',
        'path("admin/", admin.site.urls)',
        'path("accounts/", include("vendor_auth.urls"))',
        'path("pages/", include("vendor_flatpages.urls"))',
    ]
    samples = ["admin/", "admin/doc/tags/", "accounts/login/", "pages/about/", "api/manage"]
    for index in range(apps):
        app = f"app{index}"
        entries = []
        for number in range(per_app):
            name = f"{app}_{number}"
            kind = number % 4
            if kind == 0:
                entries.append(f'path("r{number}/", views.view, name="{name}")')
                samples.append(f"{app}/r{number}/")
            elif kind == 1:
                entries.append(f'path("r{number}/<int:pk>/<slug:s>/", views.view, name="{name}")')
                samples.append(f"{app}/r{number}/{rng.randrange(999)}/x-y/")
            elif kind == 2:
                entries.append(
                    f're_path(r"^r{number}/(?P<y>[0-9]{{4}})/$", views.view, name="{name}")'
                )
                samples.append(f"{app}/r{number}/2024/")
            else:
                entries.append(f're_path(r"r{number}/(?P<rest>.*)", views.view, name="{name}")')
                samples.append(f"{app}/x/r{number}/a/b")
        router = ""
        if index % 5 == 0:
            router = (
                "from rest_framework.routers import DefaultRouter\n"
                "from proj import viewsets\n"
                "router = DefaultRouter()\n"
                f'router.register("things", viewsets.Things, basename="{app}-things")\n'
            )
            entries.append('path("api/", include(router.urls))')
            samples += [f"{app}/api/things/", f"{app}/api/things/7.json", f"{app}/api/"]
        files[f"{app}/__init__.py"] = ""
        files[f"{app}/urls.py"] = (
            "from django.urls import include, path, re_path\nfrom proj import views\n"
            + router
            + "urlpatterns = [\n    "
            + ",\n    ".join(entries)
            + ",\n]\n"
        )
        root_entries.append(f'path("{app}/", include("{app}.urls"))')
    files["proj/urls.py"] = (
        "from django.contrib import admin\nfrom django.urls import include, path\n"
        "urlpatterns = [\n    " + ",\n    ".join(root_entries) + ",\n]\n"
    )
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    misses = [s.replace("r", "q", 1) for s in samples] + [s + "zz/" for s in samples]
    return samples + misses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=40)
    parser.add_argument("--routes-per-app", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--verify", action="store_true")
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        paths = generate(root, args.apps, args.routes_per_app, rng)
        tree = DiskTree(root)
        build_times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            table = build_route_table(tree)
            build_times.append(time.perf_counter() - start)
        assert not table.unresolved and not table.parse_errors, table.unresolved
        start = time.perf_counter()
        results = [resolve(table, path) for path in paths]
        resolve_time = time.perf_counter() - start
        start = time.perf_counter()
        collisions = find_collisions(table, "/api/manage")
        collision_time = time.perf_counter() - start
        start = time.perf_counter()
        suggestions = suggest_base_paths(table)
        suggest_time = time.perf_counter() - start
        print(f"files read:           {len(table.files)}")
        print(f"routes:               {len(table.routes)}")
        print(f"build_route_table:    {statistics.median(build_times) * 1000:.1f} ms (median)")
        print(
            f"resolve:              {len(paths)} paths in {resolve_time * 1000:.1f} ms "
            f"({resolve_time / len(paths) * 1e6:.0f} us/path)"
        )
        print(
            f"find_collisions:      {collision_time * 1000:.1f} ms ({len(collisions)} collisions)"
        )
        print(f"suggest_base_paths:   {suggest_time * 1000:.1f} ms -> {suggestions}")
        if args.verify:
            from urls_support import django_resolve

            expected = django_resolve(root, paths)
            got = [None if r is None else [r.name, r.pattern] for r in results]
            # admin.site.urls is modelled as one catch-all route: compare only "served or not".
            agree = sum(
                (g == e) or (g is not None and e is not None and g[0] is None and "admin" in p)
                for p, g, e in zip(paths, got, expected, strict=True)
            )
            print(f"agreement with Django: {agree}/{len(paths)} paths")


if __name__ == "__main__":
    main()
