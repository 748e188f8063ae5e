"""Host Django projects made by the real ``django-admin startproject``, built once per session
and copied per test (``shutil.copytree``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from installer_helpers import LAYOUTS


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    built = {}
    for name, (builder, _, _) in LAYOUTS.items():
        built[name] = builder(tmp_path_factory.mktemp(f"template-{name}") / "proj")
    return built


@pytest.fixture
def make_project(templates: dict[str, Path], tmp_path: Path):
    def make(layout: str = "default") -> Path:
        target = tmp_path / layout
        shutil.copytree(templates[layout], target, symlinks=True)
        return target

    return make


@pytest.fixture
def project(make_project) -> Path:
    return make_project("default")
