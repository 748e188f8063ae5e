"""Django is the oracle: generated URLconfs, resolved statically and by ``django.urls.resolve``.

Every generated project is written to disk as a real Django project (manage.py, settings,
nested URLconf packages, DRF routers and viewsets, a registered converter, ``if settings.DEBUG``
branches) and all its request paths are resolved by Django in ONE subprocess. The static
resolver must name the same route (``url_name`` and Django's joined ``route`` string) or agree
that nothing matches.
"""

from __future__ import annotations

import os
import random
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urls_support import django_resolve

from acp_lint.hosts.django.urls import build_route_table
from acp_lint.routes import resolve
from acp_lint.sources import DiskTree

STATS = {"projects": 0, "paths": 0, "matched": 0, "routes": 0}
MIN_PROJECTS = 40
PATHS_PER_PROJECT = 30
EXAMPLES = int(os.environ.get("ACP_ORACLE_EXAMPLES", "120"))

LITERALS = ["api", "manage", "users", "v1", "a.b", "x-y", "items", "admin", "m"]
CONVERTER_SAMPLES = {
    "int": ["0", "7", "42"],
    "str": ["abc", "x.y", "manage"],
    "slug": ["a-b_c", "Z9", "manage"],
    "path": ["p/q", "z", "manage/x"],
    "uuid": ["12345678-1234-1234-1234-123456789abc"],
    "yyyy": ["2024", "1999"],
    "": ["dflt", "7"],
}
REGEX_PIECES = [
    (r"(?P<{g}>[0-9]+)", ["12", "3"]),
    (r"(?P<{g}>[a-z]+)", ["ab", "manage"]),
    (r"[a-z]{{2}}", ["zz", "ma"]),
    (r"\d+", ["5"]),
    (r"(?:man|age)", ["man", "age"]),
]


@dataclass
class Project:
    """Source files being generated, plus example paths for what was generated."""

    files: dict[str, str] = field(default_factory=dict)
    counter: int = 0
    samples: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    uses_drf: bool = False
    viewsets: list[str] = field(default_factory=list)

    def next(self) -> int:
        self.counter += 1
        return self.counter


@st.composite
def route_text(draw, project: Project, include: bool) -> tuple[str, list[str]]:
    """A path() route and sample strings that match it."""
    count = draw(st.integers(0 if include else 1, 3))
    parts: list[str] = []
    samples = [""]
    for _ in range(count):
        if draw(st.integers(0, 2)) == 0:
            converter = draw(st.sampled_from(sorted(CONVERTER_SAMPLES)))
            name = f"p{project.next()}"
            parts.append(f"<{converter}:{name}>" if converter else f"<{name}>")
            options = CONVERTER_SAMPLES[converter]
        else:
            literal = draw(st.sampled_from(LITERALS))
            parts.append(literal)
            options = [literal]
        project.tokens.update(options)
        samples = [s + ("/" if s else "") + draw(st.sampled_from(options)) for s in samples]
    route = "/".join(parts)
    slash = draw(st.booleans()) if route else False
    if include and route:
        slash = draw(st.integers(0, 4)) > 0
    if slash:
        route += "/"
        samples = [s + "/" for s in samples]
    return route, samples


@st.composite
def regex_text(draw, project: Project, include: bool) -> tuple[str, list[str]]:
    """A re_path() regex (with or without anchors) and sample strings it matches."""
    count = draw(st.integers(1, 3))
    parts: list[str] = []
    sample = ""
    for index in range(count):
        if draw(st.booleans()):
            literal = draw(st.sampled_from(LITERALS))
            parts.append(re.escape(literal))
            piece_sample = literal
        else:
            template, options = draw(st.sampled_from(REGEX_PIECES))
            parts.append(template.format(g=f"g{project.next()}"))
            piece_sample = draw(st.sampled_from(options))
        project.tokens.add(piece_sample)
        sample += ("/" if index else "") + piece_sample
    regex = "/".join(parts)
    if draw(st.booleans()):
        regex += "/"
        sample += "/"
    if draw(st.integers(0, 4)) > 0:
        regex = "^" + regex
    if not include and draw(st.integers(0, 2)) > 0:
        regex += "$"
    return regex, [sample]


def pyrepr(text: str) -> str:
    return "r" + repr(text) if "\\" in text and "'" not in text else repr(text)


@st.composite
def items(draw, project: Project, module: str, depth: int, allow_custom: bool) -> list[str]:
    """Source expressions for the items of a urlpatterns list; records sample paths."""
    result: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 9 if depth < 2 else 5))
        if choice <= 3:
            name = f"n{project.next()}"
            if choice <= 2:
                route, samples = draw(route_text(project, include=False))
                if not allow_custom and "yyyy" in route:
                    route = route.replace("yyyy:", "int:")
                result.append(f"path({pyrepr(route)}, views.view, name={name!r})")
            else:
                route, samples = draw(regex_text(project, include=False))
                result.append(f"re_path({pyrepr(route)}, views.view, name={name!r})")
            project.samples.extend(samples)
        elif choice <= 5:
            result.append(draw(router_include(project, module)))
        else:
            use_regex = draw(st.integers(0, 3)) == 0
            if use_regex:
                prefix, prefix_samples = draw(regex_text(project, include=True))
                call = "re_path"
            else:
                prefix, prefix_samples = draw(route_text(project, include=True))
                call = "path"
                if not allow_custom and "yyyy" in prefix:
                    prefix = prefix.replace("yyyy:", "int:")
            before = len(project.samples)
            how = draw(st.sampled_from(["string", "module", "inline", "tuple"]))
            if how == "inline":
                inner = draw(items(project, module, depth + 1, allow_custom))
                target = "[" + ", ".join(inner) + "]"
            else:
                child = f"m{project.next()}"
                inner = draw(items(project, child, depth + 1, allow_custom))
                write_module(project, child, inner, draw(st.booleans()))
                target = {
                    "string": repr(child + ".urls"),
                    "module": f"{child}_urls",
                    "tuple": f"({child}_urls.urlpatterns, {child!r})",
                }[how]
                project.files.setdefault("imports:" + module, "")
                project.files["imports:" + module] += f"from {child} import urls as {child}_urls\n"
            new = project.samples[before:]
            del project.samples[before:]
            for sample in new:
                project.samples.append(draw(st.sampled_from(prefix_samples)) + sample)
            result.append(f"{call}({pyrepr(prefix)}, include({target}))")
    return result


@st.composite
def router_include(draw, project: Project, module: str) -> str:
    """A DRF router included under a prefix (``include(router.urls)``)."""
    project.uses_drf = True
    index = project.next()
    kind = draw(st.sampled_from(["SimpleRouter", "DefaultRouter"]))
    trailing = draw(st.booleans())
    prefix = draw(st.sampled_from(["", "api/", "api/v1/", "r/"]))
    lines = [f"router{index} = routers.{kind}(trailing_slash={trailing})"]
    for _ in range(draw(st.integers(1, 2))):
        viewset = draw(viewset_class(project))
        reg_prefix = draw(st.sampled_from(["users", "items", "manage", "a.b"]))
        basename = f"b{project.next()}"
        lines.append(f"router{index}.register({reg_prefix!r}, viewsets.{viewset}, {basename!r})")
        slash = "/" if trailing else ""
        for sample in (
            f"{reg_prefix}{slash}",
            f"{reg_prefix}/7{slash}",
            f"{reg_prefix}/7/act{slash}",
            f"{reg_prefix}/recent{slash}",
            f"{reg_prefix}.json",
            f"{reg_prefix}/7.json",
        ):
            project.samples.append(prefix + sample)
        project.tokens.update([reg_prefix, "7", "recent", "act", ".json"])
    if kind == "DefaultRouter":
        project.samples.extend([prefix, prefix + ".json"])
    project.files.setdefault("routers:" + module, "")
    project.files["routers:" + module] += "\n".join(lines) + "\n"
    return f"path({prefix!r}, include(router{index}.urls))"


@st.composite
def viewset_class(draw, project: Project) -> str:
    name = f"V{project.next()}"
    body = []
    if draw(st.booleans()):
        body.append("    def list(self, request):\n        return None")
    if draw(st.booleans()):
        body.append("    def retrieve(self, request, pk=None):\n        return None")
    if draw(st.booleans()):
        body.append(
            "    @action(detail=False)\n    def recent(self, request):\n        return None"
        )
    if draw(st.booleans()):
        body.append(
            "    @action(detail=True, url_path='act', methods=['post'])\n"
            "    def do_act(self, request, pk=None):\n        return None"
        )
    if draw(st.booleans()):
        body.append("    lookup_value_regex = '[0-9]+'")
    if not body:
        body.append("    def list(self, request):\n        return None")
    project.viewsets.append(f"class {name}(viewsets.ViewSet):\n" + "\n".join(body) + "\n")
    return name


def write_module(project: Project, module: str, entries: list[str], conditional: bool) -> None:
    """Render ``<module>/urls.py`` (or proj/urls.py) with optional DEBUG branches."""
    header = (
        "from django.conf import settings\n"
        "from django.urls import include, path, re_path\n"
        "from proj import views\n"
    )
    imports = project.files.pop("imports:" + module, "")
    body = "urlpatterns = [\n    " + ",\n    ".join(entries[: max(1, len(entries) // 2)]) + ",\n]\n"
    rest = entries[max(1, len(entries) // 2) :]
    if rest:
        if conditional:
            half = max(1, len(rest) // 2)
            body += "if settings.DEBUG:\n    urlpatterns += [" + ", ".join(rest[:half]) + "]\n"
            if rest[half:]:
                body += "else:\n    urlpatterns.extend([" + ", ".join(rest[half:]) + "])\n"
        else:
            body += "urlpatterns.append(" + rest[0] + ")\n"
            if rest[1:]:
                body += "urlpatterns = urlpatterns + [" + ", ".join(rest[1:]) + "]\n"
    path = "proj/urls.py" if module == "proj" else f"{module}/urls.py"
    if module != "proj":
        project.files[f"{module}/__init__.py"] = ""
    routers = project.files.pop("routers:" + module, "")
    drf = ""
    if routers:
        drf = "from rest_framework import routers\nfrom proj import viewsets\n" + routers
    extra = ""
    if module == "proj":
        extra = "from proj import converters  # noqa: F401  (registers yyyy)\n"
    project.files[path] = header + extra + imports + drf + body


@st.composite
def projects(draw) -> tuple[Project, bool, list[str]]:
    project = Project()
    entries = draw(items(project, "proj", 0, allow_custom=True))
    write_module(project, "proj", entries, draw(st.booleans()))
    debug = draw(st.booleans())
    project.files["manage.py"] = (
        "import os\n\n\ndef main():\n"
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
    )
    project.files["proj/__init__.py"] = ""
    project.files["proj/settings.py"] = (
        f"SECRET_KEY = 'x'\nDEBUG = {debug}\nROOT_URLCONF = 'proj.urls'\n"
        "USE_I18N = False\nINSTALLED_APPS = []\nALLOWED_HOSTS = ['*']\n"
    )
    project.files["proj/views.py"] = "def view(request, *args, **kwargs):\n    return None\n"
    project.files["proj/converters.py"] = (
        "from django.urls import register_converter\n\n\n"
        "class FourDigits:\n    regex = '[0-9]{4}'\n\n"
        "    def to_python(self, value):\n        return int(value)\n\n"
        "    def to_url(self, value):\n        return str(value)\n\n\n"
        "register_converter(FourDigits, 'yyyy')\n"
    )
    project.files["proj/viewsets.py"] = (
        "from rest_framework import viewsets\nfrom rest_framework.decorators import action\n\n\n"
        + "\n\n".join(project.viewsets)
    )
    rng = draw(st.randoms(use_true_random=False))
    paths = request_paths(project, rng)
    return project, debug, paths


def request_paths(project: Project, rng: random.Random) -> list[str]:
    """Samples of generated routes, their mutations, and random token sequences."""
    paths: list[str] = []
    samples = list(dict.fromkeys(project.samples)) or [""]
    tokens = sorted(project.tokens) or ["x"]
    while len(paths) < PATHS_PER_PROJECT:
        kind = rng.randrange(6)
        sample = rng.choice(samples)
        if kind <= 1:
            path = sample
        elif kind == 2:
            path = sample[:-1] if sample.endswith("/") else sample + "/"
        elif kind == 3:
            path = sample[: rng.randrange(len(sample) + 1)]
        elif kind == 4:
            path = rng.choice(["x/", "zz", "api/", ""]) + sample
        else:
            path = "/".join(rng.choice(tokens) for _ in range(rng.randrange(1, 5)))
            if rng.random() < 0.5:
                path += "/"
        paths.append(path)
    return paths


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(projects())
def _check_generated_project(case: tuple[Project, bool, list[str]]) -> None:
    project, debug, paths = case
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for rel, text in project.files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        expected = django_resolve(root, paths)
        table = build_route_table(DiskTree(root))
    assert table.parse_errors == []
    assert table.unresolved == [], table.unresolved
    STATS["projects"] += 1
    STATS["routes"] += len(table.routes)
    for path, want in zip(paths, expected, strict=True):
        route = resolve(table, path, assume={"settings.DEBUG": debug})
        got = None if route is None else [route.name, route.pattern]
        assert got == want, (path, got, want, project.files)
        STATS["paths"] += 1
        STATS["matched"] += want is not None


def test_static_resolver_agrees_with_django() -> None:
    """The property, plus proof that it compared enough projects and paths."""
    STATS.update(projects=0, paths=0, matched=0, routes=0)
    _check_generated_project()
    print(f"oracle: {STATS}")
    assert STATS["projects"] >= min(EXAMPLES, MIN_PROJECTS)
    assert STATS["paths"] == STATS["projects"] * PATHS_PER_PROJECT
    assert STATS["matched"] >= STATS["paths"] // 5
    assert STATS["matched"] <= STATS["paths"] - STATS["paths"] // 10
