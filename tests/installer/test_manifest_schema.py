"""``.acp/manifest.json``: one schema (acp_lint.manifest) for the installer that writes it and
the linter that reads it; ``framework`` and the host section survive a round trip, a manifest
written before them still works, and a crafted one is refused with the same messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from installer_helpers import echelon, tree_hash

from acp_lint.config import Config
from acp_lint.manifest import (
    DEFAULT_FRAMEWORK,
    MANIFEST,
    Entry,
    FileRole,
    Manifest,
    ManifestError,
    ScopeView,
)
from acp_lint.project import Project, Role


def _sample() -> Manifest:
    return Manifest(
        app="acp",
        env="staging",
        base_path="/api",
        kernel_id="k-1",
        mounted=True,
        migrations=False,
        urlconf="mysite/urls.py",
        settings="mysite/settings.py",
        imports_added=["path", "include"],
        files={
            "acp/views.py": Entry("a" * 64, FileRole.HANDLER),
            "mysite/settings.py": Entry(
                "b" * 64, FileRole.HOST_EDIT, False, "c" * 64, ".acp/backups/x.orig"
            ),
        },
        dirs=["acp", "acp"],
        framework="django",
        host={"installed_apps": {"name": "LOCAL_APPS"}, "nested": [1, {"k": None}]},
    )


def test_round_trip_keeps_every_field_and_the_bytes() -> None:
    manifest = _sample()
    data = manifest.to_bytes()
    again = Manifest.from_bytes(data)
    assert again.host == manifest.host
    assert again.framework == "django"
    assert again.files == manifest.files
    assert again.to_bytes() == data
    raw = json.loads(data)
    assert raw["framework"] == "django" and raw["host"]["nested"] == [1, {"k": None}]
    assert data.endswith(b"\n") and list(raw) == sorted(raw)
    view = ScopeView.from_bytes(data)
    assert view is not None
    assert view.roles == {"acp/views.py": "handler", "mysite/settings.py": "host-edit"}
    assert (view.app, view.framework) == ("acp", "django")


def test_a_manifest_without_framework_or_host_reads_as_django() -> None:
    raw = json.loads(_sample().to_bytes())
    del raw["framework"], raw["host"]
    old = Manifest.from_bytes(json.dumps(raw).encode())
    assert (old.framework, old.host) == (DEFAULT_FRAMEWORK, {})
    assert DEFAULT_FRAMEWORK == "django"
    view = ScopeView.from_bytes(json.dumps(raw).encode())
    assert view is not None and view.framework == "django"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"{not json", "JSONDecodeError: Expecting property name enclosed in double quotes"),
        (b"\xff", "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0"),
        (b"[]", "TypeError: list indices must be integers or slices, not str"),
        (b'{"files": []}', "AttributeError: 'list' object has no attribute 'items'"),
        (b'{"files": {}}', "KeyError: 'app'"),
        (b'{"files": {"a": 1}}', "TypeError: 'int' object is not subscriptable"),
        (b"[" * 100_000 + b"]" * 100_000, "RecursionError: maximum recursion depth exceeded"),
    ],
)
def test_hostile_shapes_name_what_is_wrong(data: bytes, why: str) -> None:
    with pytest.raises(ManifestError) as caught:
        Manifest.from_bytes(data)
    message = str(caught.value)
    assert message.startswith(f"{MANIFEST} is not a manifest written by echelon ({why}")
    assert message.endswith("); move it away to continue") and "\n" not in message
    # The linter's reader needs only the roles: with no `files` object it falls back to its
    # heuristics; a `files` object it reads, skipping entries that are not objects.
    view = ScopeView.from_bytes(data)
    if data.startswith(b'{"files": {'):
        assert view is not None and view.roles == {} and view.app is None
    else:
        assert view is None


def test_the_new_fields_are_checked_too() -> None:
    raw = json.loads(_sample().to_bytes())
    for key, value, why in (
        ("host", [], "TypeError: 'host' is a list, not an object"),
        ("framework", 3, "TypeError: 'framework' is a int, not a string"),
    ):
        with pytest.raises(ManifestError, match=f"\\({why}\\)"):
            Manifest.from_bytes(json.dumps({**raw, key: value}).encode())


def _manifest_of(project: Path) -> dict:
    return json.loads((project / ".acp" / "manifest.json").read_text())


def test_a_real_install_records_django_and_an_old_manifest_keeps_working(project: Path) -> None:
    before = tree_hash(project)
    done = echelon("install", "--kernel-id", "k-schema", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    raw = _manifest_of(project)
    assert raw["framework"] == "django" and isinstance(raw["host"], dict)
    # The linter's scope reads the roles the installer wrote, through the same schema.
    scope = Project(Config(root=project))
    for rel, entry in raw["files"].items():
        expected = Role(entry["role"]) if entry["role"] in ("handler", "migration") else None
        assert scope.role_of(rel) is expected, rel
    # An install made before `framework` and the host section existed.
    del raw["framework"], raw["host"]
    (project / MANIFEST).write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n")
    doctor = echelon("doctor", "--json", ".", cwd=project)
    report = json.loads(doctor.stdout)
    assert [c for c in report["checks"] if c["check"] == "manifest"][0]["ok"], report
    done = echelon("uninstall", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert tree_hash(project) == before


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            lambda raw: raw.update(files=[]),
            1,
            f"{MANIFEST} is not a manifest written by echelon (AttributeError: 'list' object "
            "has no attribute 'items'); move it away to continue",
        ),
        (
            lambda raw: raw.update(host="x"),
            1,
            f"{MANIFEST} is not a manifest written by echelon (TypeError: 'host' is a str, "
            "not an object); move it away to continue",
        ),
        (
            lambda raw: raw.update(framework="rails"),
            2,
            f"{MANIFEST}: framework 'rails' is not one echelon installs "
            "(django, fastapi); refusing",
        ),
        (
            lambda raw: raw["files"].update({"../x.py": raw["files"]["acp/views.py"]}),
            2,
            f"{MANIFEST} names '../x.py', which is not a normalised path inside the project; "
            "refusing to touch it",
        ),
    ],
    ids=["files-list", "host-str", "framework", "outside"],
)
def test_crafted_manifests_stop_every_command_unchanged(
    project: Path, change, code: int, message: str
) -> None:
    done = echelon("install", "--kernel-id", "k-schema", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    raw = _manifest_of(project)
    change(raw)
    (project / MANIFEST).write_text(json.dumps(raw))
    before = tree_hash(project)
    for argv in (["uninstall", "."], ["install", "--kernel-id", "k-schema", "."]):
        done = echelon(*argv, cwd=project)
        assert done.returncode == code, done.stderr
        assert done.stderr.startswith(f"echelon: error: {message}"), done.stderr
        assert done.stderr.count("\n") == 1
    assert tree_hash(project) == before
