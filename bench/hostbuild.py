"""Build a realistic Django host repository with an ACP app installed, for the benchmarks.

The host is a real source tree (Django's own sdist, or the installed ``django`` package when
offline) wrapped as a project: ``manage.py``, a ``hostsite`` package whose root URLconf mounts
the admin, the auth URLs and ~400 generated routes across ~20 generated apps, and the ACP app.
The ACP app comes from ``echelon install`` when the installer works, else from a copy of the
demo app in ``fixtures/demo`` (which breaks the ACP contract on purpose, so it has findings).

Shared by ``bench/vs_peers.py``, ``bench/scaling.py`` and ``tests/bench``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
DEMO = ROOT / "fixtures" / "demo"
DJANGO_SPEC = "django==5.2.*"
HANDLER = "acp/views.py"
ACP_MOUNT = 'path("api/", include("acp.urls"))'

CONTRIB_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]


@dataclass
class Host:
    """What was built, so reports can say how."""

    root: Path
    source: str  # "sdist <name>" or "installed django <path>"
    install_mode: str  # "echelon" or "demo-copy"
    routes: int
    python_files: int


# --- the source tree ---------------------------------------------------------------------


def find_sdist(cache: Path = CACHE) -> Path | None:
    """The cached Django sdist, or one already downloaded to /tmp/bench (saves a download)."""
    for folder in (cache, Path("/tmp/bench")):
        found = sorted(folder.glob("[Dd]jango-5.2.*.tar.gz"))
        if found:
            return found[-1]
    return None


def fetch_sdist(cache: Path = CACHE, offline: bool = False) -> Path | None:
    """Return Django's sdist, downloading it into ``cache`` with pip if missing.

    Returns None when it cannot be had (offline, no pip index): callers then fall back to
    the installed package's source directory.
    """
    found = find_sdist(cache)
    if found is not None or offline:
        return found
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps"]
    cmd += ["--dest", str(cache), DJANGO_SPEC]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        return None
    return find_sdist(cache)


def installed_django_dir() -> Path:
    """The installed ``django`` package: the offline stand-in for the sdist's tree."""
    import django

    return Path(django.__path__[0])


def lay_source_tree(dest: Path, sdist: Path | None) -> str:
    """Put the host's bulk source into ``dest``; return a description of where it came from."""
    if sdist is not None:
        with tarfile.open(sdist) as tar:
            top = tar.getmembers()[0].name.split("/")[0]
            tar.extractall(dest.parent / "_extract", filter="data")
        shutil.copytree(dest.parent / "_extract" / top, dest, dirs_exist_ok=True)
        shutil.rmtree(dest.parent / "_extract")
        return f"sdist {sdist.name}"
    src = installed_django_dir()
    shutil.copytree(src, dest / "django", ignore=shutil.ignore_patterns("__pycache__"))
    return f"installed django {src}"


# --- the generated host project ----------------------------------------------------------


def app_urlconf(app: str, n_routes: int) -> str:
    """A URLconf mixing path converters, regexes and a nested include, like real apps do."""
    lines = [
        f'"""URLs of {app} (generated)."""',
        "",
        "from django.urls import include, path, re_path",
        "",
        "from . import views",
        "",
        f'app_name = "{app}"',
        "urlpatterns = [",
    ]
    for i in range(n_routes):
        kind = i % 5
        if kind == 0:
            lines.append(f'    path("items{i}/", views.index, name="items{i}"),')
        elif kind == 1:
            lines.append(f'    path("items{i}/<int:pk>/", views.detail, name="detail{i}"),')
        elif kind == 2:
            lines.append(f'    path("items{i}/<slug:slug>/edit/", views.edit, name="edit{i}"),')
        elif kind == 3:
            pattern = rf"^archive{i}/(?P<year>[0-9]{{4}})/(?P<month>[0-9]{{2}})/$"
            lines.append(f'    re_path(r"{pattern}", views.archive, name="archive{i}"),')
        else:
            lines.append(f'    path("reports{i}/<uuid:ref>", views.detail, name="report{i}"),')
    lines.append(f'    path("nested/", include("{app}.sub_urls")),')
    lines.append("]")
    return "\n".join(lines) + "\n"


SUB_URLS = '''"""Nested URLs (generated): reached through include() from the app URLconf."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.index),
    path("<int:pk>/", views.detail),
    re_path(r"^legacy/(?P<slug>[-\\w]+)/$", views.edit),
    path("export.<str:fmt>", views.detail),
]
'''

VIEWS = '''"""Views of a generated host app: plain host code, out of ACP scope."""

import os

from django.http import HttpResponse

PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "25"))


def index(request):
    return HttpResponse("index")


def detail(request, pk=None, ref=None, fmt=None):
    return HttpResponse(f"detail {pk} {ref} {fmt}")


def edit(request, slug):
    return HttpResponse(f"edit {slug}")


def archive(request, year, month):
    return HttpResponse(f"{year}-{month}")
'''

MODELS = '''"""Models of a generated host app."""

from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)
'''


def settings_py(apps: list[str]) -> str:
    """Settings with ROOT_URLCONF; the ACP app is added later by whichever installer runs."""
    installed = ",\n".join(f'    "{a}"' for a in CONTRIB_APPS + apps)
    return f'''"""Settings of the benchmark host site (generated)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "bench-only-not-secret")
DEBUG = True
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
{installed},
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "hostsite.urls"
WSGI_APPLICATION = "hostsite.wsgi.application"

TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {{"context_processors": []}},
    }}
]

DATABASES = {{
    "default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "static/"
USE_TZ = True
'''


def root_urls(apps: list[str], direct: int) -> str:
    """Root URLconf: admin, auth, every app under its own prefix, and some direct routes."""
    lines = [
        '"""Root URLconf of the benchmark host site (generated)."""',
        "",
        "from django.contrib import admin",
        "from django.urls import include, path, re_path",
        "",
        "from hostsite import views",
        "",
        "urlpatterns = [",
        '    path("admin/", admin.site.urls),',
        '    path("accounts/", include("django.contrib.auth.urls")),',
    ]
    lines += [f'    path("{a.replace("_", "-")}/", include("{a}.urls")),' for a in apps]
    for i in range(direct):
        if i % 2:
            lines.append(f'    re_path(r"^pages/{i}/(?P<slug>[-\\w]+)/$", views.page),')
        else:
            lines.append(f'    path("pages/{i}/<slug:slug>", views.page, name="page{i}"),')
    lines.append("]")
    return "\n".join(lines) + "\n"


MANAGE = '''#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
'''

HOST_VIEWS = """from django.http import HttpResponse


def page(request, slug):
    return HttpResponse(slug)
"""


def write(path: Path, text: str) -> None:
    """Write a file, creating its parents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_hostsite(root: Path, n_apps: int = 20, routes_per_app: int = 18, direct: int = 40) -> int:
    """Write manage.py, hostsite/ and the generated apps; return the number of routes."""
    apps = [f"shop_{i:02d}" for i in range(n_apps)]
    write(root / "manage.py", MANAGE)
    write(root / "hostsite/__init__.py", "")
    write(root / "hostsite/settings.py", settings_py(apps))
    write(root / "hostsite/urls.py", root_urls(apps, direct))
    write(root / "hostsite/views.py", HOST_VIEWS)
    wsgi = "import os\n\nfrom django.core.wsgi import get_wsgi_application\n\n"
    wsgi += 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostsite.settings")\n'
    wsgi += "application = get_wsgi_application()\n"
    write(root / "hostsite/wsgi.py", wsgi)
    for app in apps:
        write(root / app / "__init__.py", "")
        write(root / app / "urls.py", app_urlconf(app, routes_per_app))
        write(root / app / "sub_urls.py", SUB_URLS)
        write(root / app / "views.py", VIEWS)
        write(root / app / "models.py", MODELS)
        write(root / app / "migrations/__init__.py", "")
    sub_routes = SUB_URLS.count("path(")
    return 2 + direct + n_apps * (routes_per_app + 1 + sub_routes)


# --- the ACP app ---------------------------------------------------------------------------


def echelon_bin() -> Path:
    """The installer next to this interpreter (the project's venv)."""
    return Path(sys.executable).parent / "echelon"


def echelon_works() -> bool:
    """True when ``echelon install --help`` exits 0 (the installer is being written)."""
    exe = echelon_bin()
    if not exe.exists():
        return False
    done = subprocess.run([str(exe), "install", "--help"], capture_output=True, timeout=60)
    return done.returncode == 0


def install_echelon(root: Path) -> bool:
    """Install the ACP app the supported way; False if the installer refuses or fails."""
    cmd = [str(echelon_bin()), "install", "--yes", "--env", "development", str(root)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return done.returncode == 0 and (root / HANDLER).exists()


def install_demo_copy(root: Path) -> None:
    """Copy the demo's hand-written ACP app and mount it, as a host would by hand."""
    for name in ("acp", "acp_kernel"):
        shutil.copytree(DEMO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(DEMO / "controlplane.bindings.json", root / "controlplane.bindings.json")
    settings = root / "hostsite/settings.py"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("INSTALLED_APPS = [\n", 'INSTALLED_APPS = [\n    "acp",\n'))
    urls = root / "hostsite/urls.py"
    text = urls.read_text(encoding="utf-8")
    urls.write_text(text.replace("urlpatterns = [\n", f"urlpatterns = [\n    {ACP_MOUNT},\n"))


def install_acp(root: Path, mode: str = "auto") -> str:
    """Install the ACP app with ``mode`` (auto | echelon | demo); return the mode used."""
    if mode in ("auto", "echelon") and echelon_works() and install_echelon(root):
        return "echelon"
    if mode == "echelon":
        raise RuntimeError("echelon install is not usable here; try --install demo")
    install_demo_copy(root)
    return "demo-copy"


# --- putting it together -------------------------------------------------------------------


def git_init(root: Path) -> None:
    """Make the host a committed git repository, as a real one is (acp-lint uses git ls-files)."""
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid")
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "host"]):
        subprocess.run(["git", *cmd], cwd=root, check=True, env=env, capture_output=True)


def count_python_files(root: Path) -> int:
    """Python files in the host, excluding .git (what the linters see)."""
    return sum(1 for p in root.rglob("*.py") if ".git" not in p.parts)


def build_host(
    dest: Path,
    install: str = "auto",
    offline: bool = False,
    use_sdist: bool = True,
    git: bool = True,
    n_apps: int = 20,
    routes_per_app: int = 18,
) -> Host:
    """Build the whole host in ``dest`` (replaced if it exists).

    ``offline`` never downloads (a cached sdist is still used); ``use_sdist=False`` always
    takes the installed ``django`` package as the source tree (fast, deterministic tests).
    """
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    sdist = fetch_sdist(offline=offline) if use_sdist else None
    source = lay_source_tree(dest, sdist)
    routes = write_hostsite(dest, n_apps=n_apps, routes_per_app=routes_per_app)
    mode = install_acp(dest, install)
    if git:
        git_init(dest)
    return Host(dest, source, mode, routes, count_python_files(dest))


# --- the cases users wait on (issue 13) ----------------------------------------------------

BAD_HANDLER = "acp/views.py"  # the demo's handler: fixable ACP104 findings, among others


def handler_module(count: int) -> str:
    """An ACP handler module with ``count`` guarded handlers sharing one guard helper."""
    lines = [
        '"""Generated ACP handlers (bench)."""',
        "",
        "import os",
        "",
        "from django.http import JsonResponse",
        "",
        "",
        "def _enabled():",
        '    return os.environ.get("ACP_ENABLED", "").lower() == "true"',
    ]
    for index in range(count):
        lines += [
            "",
            "",
            f"def view_{index}(request, pk=None):",
            "    if not _enabled():",
            '        return JsonResponse({"ok": False, "code": "FEATURE_DISABLED"}, status=503)',
            f'    return JsonResponse({{"ok": True, "view": {index}, "pk": pk}})',
        ]
    return "\n".join(lines) + "\n"


def host_views_module(count: int, seed: int = 0) -> str:
    """A host module of ``count`` plain views that imports acp_kernel (heuristic scope):
    every view is an unguarded handler, so each has a fixable ACP104 finding."""
    lines = [
        f'"""Host views {seed} (generated)."""',
        "",
        "from django.http import JsonResponse",
        "",
        "from acp_kernel import ControlPlaneClient  # noqa: F401",
    ]
    for index in range(count):
        lines += [
            "",
            "",
            f"def view_{seed}_{index}(request, pk=None):",
            f'    data = {{"view": {index}, "pk": pk}}',
            "    return JsonResponse(data)",
        ]
    return "\n".join(lines) + "\n"


def build_cases(dest: Path, modules: int = 622, routes: int = 20_000) -> dict[str, Path]:
    """The hosts of the issue-13 rows, in ``dest`` (replaced): a demo-copy host with the bad
    handler, handler modules of 60/120/5,000 handlers and a 100-view host module; a tree of
    ``modules`` such host modules; a host whose root URLconf has ``routes`` routes; and
    Django's installed package as a tree with no ACP code."""
    if dest.exists():
        shutil.rmtree(dest)
    demo = dest / "demo"
    write_hostsite(demo, n_apps=2, routes_per_app=5, direct=4)
    install_demo_copy(demo)
    for count in (60, 120, 5000):
        write(demo / "acp" / f"handlers_{count}.py", handler_module(count))
    write(demo / "shop_00" / "acp_views.py", host_views_module(100))
    git_init(demo)

    tree = dest / "tree"
    write_hostsite(tree, n_apps=2, routes_per_app=5, direct=4)
    for index in range(modules):
        package = tree / f"host_{index // 50:02d}"
        write(package / "__init__.py", "")
        write(package / f"views_{index}.py", host_views_module(100, seed=index))
    git_init(tree)

    huge = dest / "huge"
    write_hostsite(huge, n_apps=0, routes_per_app=0, direct=routes)
    git_init(huge)

    django_tree = dest / "django-tree"
    shutil.copytree(
        installed_django_dir(), django_tree / "django", ignore=shutil.ignore_patterns("__pycache__")
    )
    git_init(django_tree)
    return {"demo": demo, "tree": tree, "huge": huge, "django": django_tree}
