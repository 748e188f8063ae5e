"""CreateModel's table, with Django as the judge: the app label the linter reads from
``apps.py`` and the table name it derives are the ones Django computes for a real app.
Also: a run over migrations only never imports libcst (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from acp_lint.hosts.django.app_label import app_label_for
from acp_lint.hosts.django.django_migrations import django_table_name

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
from clitools import run_json, write_tree  # noqa: E402

AC = "from django.apps import AppConfig\n\n"
APPS = {
    "plain/__init__.py": "",
    "shop/__init__.py": "",
    "shop/apps.py": AC + 'class ShopConfig(AppConfig):\n    name = "shop"\n    label = "store"\n',
    "pkg/__init__.py": "",
    "pkg/ledger/__init__.py": "",
    # the label comes from a base class in the same file; the base is not the default
    "pkg/ledger/apps.py": AC
    + 'class Base(AppConfig):\n    label = "books"\n    default = False\n\n'
    + 'class LedgerConfig(Base):\n    name = "pkg.ledger"\n    default = True\n',
    "common/__init__.py": "",
    "common/appbase.py": AC + 'class LabelledBase(AppConfig):\n    label = "inv"\n',
    "inventory/__init__.py": "",
    # the label comes from a base class imported from another module of the project
    "inventory/apps.py": "from common.appbase import LabelledBase\n\n"
    + 'class InventoryConfig(LabelledBase):\n    name = "inventory"\n    default = True\n',
    "nodefault/__init__.py": "",
    # an imported config is a candidate too: two candidates, no default -> plain AppConfig
    "nodefault/apps.py": "from common.appbase import LabelledBase\n\n"
    + 'class NoDefaultConfig(LabelledBase):\n    name = "nodefault"\n',
    "twoconf/__init__.py": "",
    "twoconf/apps.py": AC
    + 'class A(AppConfig):\n    name = "twoconf"\n    label = "a_label"\n\n'
    + 'class B(AppConfig):\n    name = "twoconf"\n    label = "b_label"\n',
}
MODULES = ["plain", "shop", "pkg.ledger", "inventory", "nodefault", "twoconf"]
MODEL = (
    "from django.db import models\n\n"
    "class Widget(models.Model):\n    pass\n\n"
    "class AVeryLongModelNameThatDjangoWillTruncateOnPostgresqlBecauseItIsLong(models.Model):\n"
    "    pass\n"
)

_ORACLE = """
import json, sys
import django
from django.conf import settings
from django.db.backends.utils import truncate_name
settings.configure(INSTALLED_APPS=sys.argv[1:], DATABASES={})
django.setup()
from django.apps import apps
out = {}
for module in sys.argv[1:]:
    config = next(c for c in apps.get_app_configs() if c.name == module)
    out[module] = {
        "label": config.label,
        "tables": [m._meta.db_table for m in config.get_models()],
        "postgres": [truncate_name(m._meta.db_table, 63) for m in config.get_models()],
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("labels")
    files = dict(APPS)
    for module in MODULES:
        folder = module.replace(".", "/")
        files[f"{folder}/models.py"] = MODEL
        files[f"{folder}/migrations/__init__.py"] = ""
        files[f"{folder}/migrations/0001_initial.py"] = ""
    write_tree(root, files)
    return root


def test_labels_and_tables_match_django(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _ORACLE, *MODULES],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(project)},
        check=True,
    )
    django = json.loads(proc.stdout)
    labels = {}
    for module in MODULES:
        migration = project / module.replace(".", "/") / "migrations" / "0001_initial.py"
        label = app_label_for(migration, project)
        labels[module] = label
        assert label == django[module]["label"], module
        models = ["widget", MODEL.split("class ")[2].split("(")[0].lower()]
        ours = [f"{label}_{model}" for model in models]
        assert ours == django[module]["tables"], module
        assert [django_table_name(t, "postgres") for t in ours] == django[module]["postgres"]
    # the cases differ from the folder name where they should
    assert labels == {
        "plain": "plain",
        "shop": "store",
        "pkg.ledger": "books",
        "inventory": "inv",
        "nodefault": "nodefault",
        "twoconf": "twoconf",
    }


def test_unreadable_label_is_unknown(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/apps.py": AC + 'class C(AppConfig):\n    label = "x" + suffix()\n',
            "app/migrations/0001_initial.py": "",
            "other/apps.py": "from thirdparty.apps import Base\n\nclass C(Base):\n    pass\n",
            "other/migrations/0001_initial.py": "",
        },
    )
    assert app_label_for(tmp_path / "app/migrations/0001_initial.py", tmp_path) is None
    assert app_label_for(tmp_path / "other/migrations/0001_initial.py", tmp_path) is None


MIGRATION = textwrap.dedent(
    """
    from django.db import migrations, models


    class Migration(migrations.Migration):
        operations = [
            migrations.CreateModel("Widget", [("id", models.AutoField(primary_key=True))]),
            migrations.RunSQL("INSERT INTO store_widget (id) VALUES (1)"),
            migrations.RunSQL("DELETE FROM shop_widget"),
        ]
    """
)


def test_cli_uses_the_label_and_never_imports_libcst(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "acp-lint.toml": 'migrations = ["shop/migrations/*.py"]\nhandlers = []\n',
            "shop/__init__.py": "",
            "shop/apps.py": APPS["shop/apps.py"],
            "shop/migrations/__init__.py": "",
            "shop/migrations/0001_initial.py": MIGRATION,
        },
    )
    code, found = run_json("--no-cache", ".", cwd=tmp_path)
    assert code == 1
    # the default table store_widget is new; shop_widget (the folder's name) is not
    assert [(f["code"], f["line"]) for f in found] == [("ACP301", 9)]
    probe = (
        "import sys\n"
        "from acp_lint.cli import main\n"
        "code = main(['--no-cache', '.'])\n"
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in ('libcst', 'acp_lint.hosts.django.urls'))\n"
        "print(code, [m for m in heavy if m.startswith('libcst')][:3])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "1 []", proc.stdout


def test_apps_py_is_read_as_a_project_file(tmp_path: Path) -> None:
    """The label reader reads ``apps.py`` and the modules it imports from. A deep ``apps.py``
    crashed the process (``ast``'s C code ran out of stack), a linked one was read from
    outside the repository, and an imported base was searched for up to ``/``."""
    outside = tmp_path / "outside"
    write_tree(outside, {"evil/apps.py": AC + 'class C(AppConfig):\n    label = "catalog"\n'})
    write_tree(outside, {"probe_mod/bases.py": AC + 'class Base(AppConfig):\n    label = "x"\n'})
    repo = outside / "repo"  # the repository sits below the other files
    write_tree(
        repo,
        {
            "deep/apps.py": "x = 1" + " + 1" * 150_000 + "\n",
            "deep/migrations/0001_initial.py": "",
            "linked/migrations/0001_initial.py": "",
            "based/apps.py": "from probe_mod.bases import Base\n\nclass C(Base):\n    pass\n",
            "based/migrations/0001_initial.py": "",
        },
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    os.symlink(outside / "evil" / "apps.py", repo / "linked" / "apps.py")
    assert app_label_for(repo / "deep/migrations/0001_initial.py", repo) is None  # no crash
    assert app_label_for(repo / "linked/migrations/0001_initial.py", repo) is None  # not "catalog"
    assert app_label_for(repo / "based/migrations/0001_initial.py", repo) is None  # not "x"
