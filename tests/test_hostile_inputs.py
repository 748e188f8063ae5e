"""Hostile files for the linter (issue 12): every case ends in exit 0, 1 or 2 with a message,
never a signal, a hang (each run has a timeout), a traceback or exit 3.

Inputs are generated in ``tmp_path``; each test runs the real CLI in a subprocess.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from clitools import write_tree

from acp_lint.protected import MAX_DEPTH, MAX_JSON_BYTES, MAX_PYTHON_BYTES, MAX_SQL_BYTES
from acp_lint.sources import MAX_READ_BYTES

TIMEOUT = 120
BINDINGS = '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'
CONFIG = 'handlers = ["acp/*.py"]\nmigrations = ["acp/migrations/*.py", "acp/sql/*.sql"]\n'
ENV_READ = "import os\nKEY = os.environ['ACP_KEY']\n"  # makes the handler rules parse the file


def lint(
    root: Path, *args: str, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI; asserts the outcome is an ordinary exit (0/1/2), within the timeout."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "acp_lint",
            *(args if args[:1] == ("routes",) else ("--no-cache", *args)),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        errors="surrogateescape",
        env={**os.environ, "NO_COLOR": "1"},
        timeout=TIMEOUT,
        preexec_fn=preexec,
    )
    assert completed.returncode in (0, 1, 2), (completed.returncode, completed.stderr)
    assert "Traceback" not in completed.stderr
    assert "internal error" not in completed.stderr
    return completed


def findings(root: Path, *args: str) -> dict[str, list[dict]]:
    """JSON findings by path (exit 1 asserted: every case here has something to report)."""
    completed = lint(root, "--output-format", "json", *args)
    assert completed.returncode == 1, completed.stderr
    by_path: dict[str, list[dict]] = {}
    for item in json.loads(completed.stdout):
        by_path.setdefault(item["path"], []).append(item)
    return by_path


def project(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    write_tree(
        root,
        {"acp-lint.toml": CONFIG, "controlplane.bindings.json": BINDINGS, **(files or {})},
    )
    return root


def only(found: dict[str, list[dict]], path: str) -> dict:
    [item] = found[path]
    return item


# -- nesting -----------------------------------------------------------------------------------
DEEP = 3000
REJECTED = 5000  # CPython itself refuses these (about 3,000 levels at its default limit)
REJECTED_BY_CPYTHON = {
    "binary_operators": "x = " + "+".join(["a"] * REJECTED),
    "not_chain": "x = " + "not " * REJECTED + "a",
    "unary_minus": "x = " + "-" * REJECTED + "a",
    "attributes": "x = a" + ".b" * REJECTED,
    "calls": "x = f" + "()" * REJECTED,
    "subscripts": "x = a" + "[0]" * REJECTED,
    "lambdas": "x = " + "lambda: " * REJECTED + "0",
    "parentheses": "x = " + "(" * 1500 + "1" + ")" * 1500,
    "brackets": "x = " + "[" * 1500 + "]" * 1500,
}
# CPython compiles these (flat in its AST) but libcst nests one level per operand.
ACCEPTED_BUT_TOO_DEEP = {
    "boolean_operators": "x = " + " and ".join(["a"] * DEEP),
    "string_concatenation": "x = " + " ".join(['"a"'] * DEEP),
    "conditional_chain": "x = " + "a if b else " * 1500 + "c",
    "binary_operators_within_cpython": "x = " + "+".join(["a"] * 2000),
}


def test_every_deep_handler_is_one_acp000_never_a_crash(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    for name, body in {**REJECTED_BY_CPYTHON, **ACCEPTED_BUT_TOO_DEEP}.items():
        files[f"acp/{name}.py"] = ENV_READ + body + "\n"
    found = findings(project(tmp_path, files))
    for name in REJECTED_BY_CPYTHON:
        item = only(found, f"acp/{name}.py")
        assert item["code"] == "ACP000", item
        assert "too many nested parentheses" in item["message"] or (
            "Python cannot compile this file" in item["message"]
        ), item
    for name in ACCEPTED_BUT_TOO_DEEP:
        item = only(found, f"acp/{name}.py")
        assert item["code"] == "ACP000"
        assert f"too deeply nested to analyse (more than {MAX_DEPTH} levels" in item["message"]
        assert item["line"] == 3  # the deep statement, not the env read above it


def test_nesting_below_the_limit_is_analysed(tmp_path: Path) -> None:
    """A deep but accepted file is parsed (in the big-stack worker) and its rules run."""
    body = "x = " + "+".join(["a"] * 600) + "\ny = " + " and ".join(["a"] * 400) + "\n"
    found = findings(project(tmp_path, {"acp/deep.py": ENV_READ + body}))
    assert [item["code"] for item in found["acp/deep.py"]] == ["ACP101"]


def test_deep_migration_is_analysed_and_deep_sql_is_one_finding(tmp_path: Path) -> None:
    """A migration is read with ``ast`` alone, so what CPython accepts is judged, however deep
    libcst would find it (it never parses one); deep SQL is still one finding."""
    header = "from django.db import migrations\n\n"
    operations = (
        "\n\nclass Migration(migrations.Migration):\n"
        "    operations = [migrations.RunSQL(" + " ".join(['"x"'] * DEEP) + ")]\n"
    )
    files = {
        f"acp/migrations/{number:04}_{name}.py": header + f"X = {body[4:]}" + operations
        for number, (name, body) in enumerate(ACCEPTED_BUT_TOO_DEEP.items(), start=2)
    }
    files["acp/sql/deep.sql"] = "SELECT " + "(" * 10_000 + "1" + ")" * 10_000 + ";\n"
    found = findings(project(tmp_path, files))
    for path in files:
        if path.endswith(".py"):
            codes = {item["code"] for item in found[path]}
            assert "ACP000" not in codes and "ACP303" in codes, (path, found[path])
    item = only(found, "acp/sql/deep.sql")
    assert item["code"] in ("ACP000", "ACP302", "ACP303"), item  # never a pass, never a crash


# -- files that are not regular, too large, or unreadable --------------------------------------
def test_fifos_devices_and_symlink_loops_are_reported_not_read(tmp_path: Path) -> None:
    project(tmp_path, {"acp/views.py": ENV_READ})
    os.mkfifo(tmp_path / "acp" / "fifo.py")
    (tmp_path / "acp" / "sql").mkdir()
    os.mkfifo(tmp_path / "acp" / "sql" / "fifo.sql")
    os.symlink("/dev/zero", tmp_path / "acp" / "zero.py")
    os.symlink("loop.py", tmp_path / "acp" / "loop.py")
    expected = {
        "acp/fifo.py": "not a regular file (a FIFO)",
        "acp/sql/fifo.sql": "not a regular file (a FIFO)",
        "acp/zero.py": "not a regular file (a character device)",
        "acp/loop.py": "a symbolic link loop",
    }
    found = findings(tmp_path)  # a full run: discovered by the directory walk
    for path, message in expected.items():
        item = only(found, path)
        assert item["code"] == "ACP000" and message in item["message"], item
    for path, message in expected.items():  # named on the command line, as pre-commit does
        item = only(findings(tmp_path, path), path)
        assert item["code"] == "ACP000" and message in item["message"], item


SECRET = "hunter2-do-not-print"


def test_links_out_of_the_repository_or_into_git_are_never_read(tmp_path: Path) -> None:
    """A pull request can commit links to the CI machine's files: the environment (its
    tokens), a file outside the checkout, ``.git/config`` (where actions/checkout keeps its
    token). Their content would appear in the report's code frames, in a public log. Each is
    an ACP000 and none of it is printed, in any format; a link inside the repository is read."""
    root = project(tmp_path / "repo", {"acp/views.py": ENV_READ})
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)
    subprocess.run(["git", "config", "acp.token", SECRET], cwd=root, check=True, timeout=60)
    outside = tmp_path / "credentials"
    outside.write_text(f"aws_secret_access_key = {SECRET}\n")
    (root / "acp" / "sql").mkdir()
    links = {
        "acp/sql/environ.sql": ("/proc/self/environ", "outside the repository"),
        "acp/sql/credentials.sql": (str(outside), "outside the repository"),
        "acp/sql/git_config.sql": ("../../.git/config", "into .git/"),
        "acp/relative.py": ("../../credentials", "outside the repository"),
    }
    for name, (target, _) in links.items():
        os.symlink(target, root / name)
    os.symlink("views.py", root / "acp" / "alias.py")  # inside: read like any file
    outputs = []
    for output_format in ("full", "json", "sarif", "github"):
        completed = subprocess.run(
            [sys.executable, "-m", "acp_lint", "--output-format", output_format, "."],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "NO_COLOR": "1", "CI_SECRET": SECRET},
            timeout=TIMEOUT,
        )
        assert completed.returncode == 1, completed.stderr
        outputs.append(completed.stdout + completed.stderr)
        if output_format == "json":
            by_path: dict[str, list[dict]] = {}
            for item in json.loads(completed.stdout):
                by_path.setdefault(item["path"], []).append(item)
    assert not any(SECRET in text for text in outputs)
    for name, (_, where) in links.items():
        item = only(by_path, name)
        assert item["code"] == "ACP000" and where in item["message"], item
    assert [item["code"] for item in by_path["acp/alias.py"]] == ["ACP101"]
    [alias], [views] = by_path["acp/alias.py"], by_path["acp/views.py"]
    assert (alias["line"], alias["column"]) == (views["line"], views["column"])


def _git_demo(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "repo"
    demo = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
    shutil.copytree(demo, root, ignore=shutil.ignore_patterns(".acp-lint-cache"))
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "acp_lint", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "CI_SECRET": SECRET},
        timeout=TIMEOUT,
    )


def test_a_config_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    """The root is the config's directory: ``acp-lint.toml -> /some/empty/file`` made the
    whole of ``/`` the project (and ``/proc/self/environ`` one of its files), and wrote the
    cache there. Exit 2 naming the file, for ``acp-lint.toml``, a pyproject and ``--config``."""
    root = _git_demo(tmp_path)
    (tmp_path / "empty.toml").write_text("")
    (tmp_path / "pyproject.toml").write_text("[tool.acp-lint]\n")
    os.symlink("/proc/self/environ", root / "acp" / "sql" / "environ.sql")
    links = (("acp-lint.toml", "../empty.toml"), ("pyproject.toml", "../pyproject.toml"))
    for name, target in links:
        os.symlink(target, root / name)
        done = _run(root, "--output-format", "json", ".")
        assert done.returncode == 2, done.stdout
        assert f"{root / name}: a symbolic link on its way leads out of the repository" in (
            done.stderr
        )
        assert SECRET not in done.stdout + done.stderr
        (root / name).unlink()
    os.symlink("../empty.toml", root / "ci.toml")
    done = _run(root, "--config", "ci.toml", ".")
    assert done.returncode == 2 and "leads out of the repository" in done.stderr
    assert not (tmp_path / ".acp-lint-cache").exists()


def test_paths_through_a_linked_directory_are_refused_and_never_fixed(tmp_path: Path) -> None:
    """``acp/views.py`` with ``acp -> /elsewhere``: ``--fix`` rewrote the file elsewhere."""
    root = _git_demo(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    (root / "acp").rename(elsewhere)
    os.symlink(elsewhere, root / "acp")
    before = (elsewhere / "views.py").read_bytes()
    for args in (("--fix", "acp/views.py"), ("acp/views.py",), ("acp",), ("--fix", "acp")):
        done = _run(root, "--no-cache", *args)
        assert done.returncode == 2, (args, done.stdout)
        assert "a symbolic link on its way leads out of the repository" in done.stderr
    assert (elsewhere / "views.py").read_bytes() == before
    (root / "acp").unlink()
    (root / "acp").mkdir()
    os.symlink("../shop", root / "acp" / "shop")  # a link that stays inside: used as before
    done = _run(root, "--no-cache", "--output-format", "json", "acp/shop/urls.py")
    assert done.returncode in (0, 1), done.stderr


def test_output_file_linked_out_or_into_git_is_refused(tmp_path: Path) -> None:
    """``-o report.json`` with a committed ``report.json -> ~/.bashrc`` or
    ``-> .git/hooks/post-checkout`` wrote the report (quoting the pull request's lines)
    there. A path outside the repository, as written, is the user's own choice."""
    root = _git_demo(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    os.symlink(victim, root / "report.json")
    os.symlink(".git/hooks/post-checkout", root / "hook.json")
    for name, where in (("report.json", "out of the repository"), ("hook.json", "into .git/")):
        done = _run(root, "-o", name, ".")
        assert done.returncode == 2 and f"leads {where}" in done.stderr, done.stderr
    assert victim.read_text() == "keep\n"
    assert not (root / ".git" / "hooks" / "post-checkout").exists()
    report = tmp_path / "reports" / "out.txt"
    done = _run(root, "-o", str(report), ".")
    assert done.returncode == 1 and "ACP104" in report.read_text()


def test_unread_files_say_why_wherever_they_are_read(tmp_path: Path) -> None:
    """A URLconf that is a link out of the repository said only "cannot read file"; a plain
    file inside ``.git/`` named on the command line was called "a symbolic link"."""
    root = _git_demo(tmp_path)
    (root / "shop" / "urls.py").unlink()
    os.symlink("/proc/self/environ", root / "shop" / "urls.py")
    done = _run(root, "--no-cache", "--output-format", "json", ".")
    messages = {d["message"] for d in json.loads(done.stdout) if d["path"] == "shop/urls.py"}
    assert "a symbolic link to a file outside the repository; it is not read" in messages
    assert SECRET not in done.stdout + done.stderr
    hooks = root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "v.py").write_text(ENV_READ)
    done = _run(root, "--no-cache", "--output-format", "json", ".git/hooks/v.py")
    [only_one] = json.loads(done.stdout)
    assert only_one["code"] == "ACP000" and only_one["message"] == "inside .git/; it is not read"


def test_without_git_the_project_is_the_boundary(tmp_path: Path) -> None:
    """Outside a work tree, a link may lead anywhere inside the project, not beside it."""
    root = project(tmp_path / "proj", {"acp/views.py": ENV_READ, "shared/env.py": ENV_READ})
    (tmp_path / "beside.py").write_text(ENV_READ)
    os.symlink("../shared/env.py", root / "acp" / "shared.py")
    os.symlink("../../beside.py", root / "acp" / "beside.py")
    found = findings(root)
    assert [item["code"] for item in found["acp/shared.py"]] == ["ACP101"]
    assert "outside the repository" in only(found, "acp/beside.py")["message"]


def _fastapi_demo(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "fastapi_demo"
    demo = Path(__file__).resolve().parents[1] / "fixtures" / "fastapi_demo"
    shutil.copytree(demo, root, ignore=shutil.ignore_patterns(".acp-lint-cache"))
    return root


def test_alembic_files_are_read_as_project_files(tmp_path: Path) -> None:
    """The FastAPI host reads ``alembic.ini`` and every revision to find the ACP branch: a
    FIFO among the revisions hung the run, and ``version_locations = /`` walked the disk.
    Now the FIFO is one ACP000 and a location outside the repository is left out; the other
    findings are those of the untouched demo."""
    root = _fastapi_demo(tmp_path)
    clean = findings(root)
    os.mkfifo(root / "migrations" / "versions" / "0002_fifo.py")
    ini = root / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "script_location = migrations",
            "script_location = migrations\n"
            "version_locations = / /proc %(here)s/migrations/versions",
        )
    )
    hostile = findings(root)
    assert (
        "not a regular file (a FIFO)"
        in only(hostile, "migrations/versions/0002_fifo.py")["message"]
    )
    del hostile["migrations/versions/0002_fifo.py"]
    assert hostile == clean


def test_a_coding_cookie_naming_a_failing_codec_is_acp000_and_fixes_stay_safe(
    tmp_path: Path,
) -> None:
    """``# coding: undefined`` or ``punycode`` made codecs raise a plain UnicodeError (exit 3,
    "internal error"); ``idna`` decodes a handler but cannot encode its fixed text back."""
    handler = "import os\n\n\ndef manage(request):\n    return os.environ['ACP_KEY']\n"
    project(
        tmp_path,
        {
            "acp/undefined.py": "# -*- coding: undefined -*-\n" + ENV_READ,
            "acp/puny.py": "# coding: punycode\n" + ENV_READ,
            "acp/idna.py": "# coding: idna\n" + handler,
        },
    )
    found = findings(tmp_path)
    for name, codec in (("acp/undefined.py", "undefined"), ("acp/puny.py", "punycode")):
        item = only(found, name)
        assert item["code"] == "ACP000" and f"cannot decode as {codec}" in item["message"]
    assert any(item["fix"] for item in found["acp/idna.py"])  # decoded, with a fix to write
    before = (tmp_path / "acp" / "idna.py").read_bytes()
    for args in (("--fix",), ("--diff",), ("--add-noqa",)):
        lint(tmp_path, *args, "acp/idna.py")  # an ordinary exit, never "internal error"
    assert (tmp_path / "acp" / "idna.py").read_bytes() == before


def test_strange_file_names_are_quoted_in_every_listing(tmp_path: Path) -> None:
    """``--show-files``, ``-v``, ``--show-fixes`` and ``--diff`` headers printed a name as it
    is: an escape sequence drove the terminal, and a newline forged a diff header line."""
    name = "acp/v\x1b]0;pwned\x07\nx.py"
    handler = "import os\n\n\ndef manage(request):\n    return os.environ['ACP_KEY']\n"
    project(tmp_path, {"acp/views.py": ENV_READ, name: handler})
    quoted = '"acp/v\\x1b]0;pwned\\x07\\nx.py"'
    for args in (("--show-files",), ("-v",), ("--show-fixes",), ("--diff",)):
        completed = lint(tmp_path, *args, ".")
        text = completed.stdout + completed.stderr
        assert "\x1b" not in text and "\x07" not in text, args
        assert quoted in text or quoted.replace('"acp', '"a/acp') in text, (args, text)
        assert not any(line.startswith("x.py") for line in text.splitlines()), args


def test_fixes_write_through_a_link_inside_and_keep_it_a_link(tmp_path: Path) -> None:
    """``--fix`` and ``--add-noqa`` replaced a committed link (to another file of the
    repository) with a fixed copy: ``git status`` showed the type change."""
    handler = "\n\ndef manage(request):\n    return KEY\n"
    project(tmp_path, {"acp/views.py": ENV_READ + handler})  # ACP104 (fixed), ACP101 (noqa)
    os.symlink("views.py", tmp_path / "acp" / "alias.py")
    for args in (("--fix",), ("--add-noqa",)):
        before = (tmp_path / "acp" / "views.py").read_text()
        lint(tmp_path, *args, ".")
        assert os.readlink(tmp_path / "acp" / "alias.py") == "views.py", args
        assert (tmp_path / "acp" / "views.py").read_text() != before, args


def test_a_symlink_loop_in_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    project(tmp_path)
    os.symlink("spin", tmp_path / "spin")
    completed = lint(tmp_path, "spin/x.py")
    assert completed.returncode == 2
    assert "spin/x.py" in completed.stderr


def test_size_caps_are_clear_messages(tmp_path: Path) -> None:
    big_python = ENV_READ + "# padding\n" * (MAX_PYTHON_BYTES // 10 + 1)
    big_sql = "CREATE TABLE acp_t (id int);\n" + "-- padding\n" * (MAX_SQL_BYTES // 11 + 1)
    project(tmp_path, {"acp/big.py": big_python, "acp/sql/big.sql": big_sql})
    with open(tmp_path / "acp" / "huge.py", "wb") as handle:  # sparse: no disk, no time
        handle.truncate(MAX_READ_BYTES + 1)
    found = findings(tmp_path)
    for path, limit in (("acp/big.py", MAX_PYTHON_BYTES), ("acp/sql/big.sql", MAX_SQL_BYTES)):
        item = only(found, path)
        assert item["code"] == "ACP000"
        assert "too large to analyse" in item["message"] and f"{limit:,} bytes" in item["message"]
    item = only(found, "acp/huge.py")
    assert item["code"] == "ACP000"
    assert f"too large to read ({MAX_READ_BYTES + 1:,} bytes" in item["message"]


def _without_read_override() -> None:
    """In the child: drop the capabilities that let root read a mode-000 file, so the kernel
    refuses the read as it would for any other user (tests run as root in CI containers)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _really_unreadable(path: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(path)!r}, 'rb').read()"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_without_read_override,
    )
    assert "PermissionError" in probe.stderr, probe.stderr


def test_an_unreadable_file_in_scope_is_an_error_even_when_named(tmp_path: Path) -> None:
    project(tmp_path, {"acp/locked.py": ENV_READ, "acp/sql/locked.sql": "SELECT 1;\n"})
    for name in ("acp/locked.py", "acp/sql/locked.sql"):
        (tmp_path / name).chmod(0)
        _really_unreadable(tmp_path / name)
    for args in ((), ("acp/locked.py", "acp/sql/locked.sql")):
        completed = lint(
            tmp_path, "--output-format", "concise", *args, preexec=_without_read_override
        )
        assert completed.returncode == 1, completed.stdout
        lines = completed.stdout.splitlines()
        assert "acp/locked.py:1:1: ACP000 cannot read: permission denied" in lines
        assert "acp/sql/locked.sql:1:1: ACP000 cannot read: permission denied" in lines


# -- configuration -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("acp-lint.toml", "a = " + "[" * 10_000 + "]" * 10_000 + "\n", "nested too deeply"),
        ("acp-lint.toml", "x = {" + "y = {" * 3000 + "}" * 3001 + "\n", "nested too deeply"),
        (
            "pyproject.toml",
            '[tool.acp-lint]\nhandlers = ["acp/*.py"]\n'.encode("utf-16"),
            "not UTF-8",
        ),
        ("acp-lint.toml", "n = " + "9" * 5001 + "\n", "cannot be read"),
        ("acp-lint.toml", 'bindings = "/etc/passwd"\n', "absolute path"),
        ("acp-lint.toml", 'bindings = "../x.json"\n', "'..'"),
        ("acp-lint.toml", 'bindings = ".git/config"\n', "inside .git/"),
    ],
)
def test_hostile_config_is_exit_2_naming_the_file(
    tmp_path: Path, name: str, content: str | bytes, needle: str
) -> None:
    write_tree(tmp_path, {name: content, "acp/views.py": ENV_READ})
    completed = lint(tmp_path)
    assert completed.returncode == 2
    assert str(tmp_path / name) in completed.stderr and needle in completed.stderr
    assert completed.stdout == ""


def test_a_bindings_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(BINDINGS)
    root = tmp_path / "repo"
    write_tree(root, {"acp-lint.toml": 'bindings = "deploy/b.json"\n'})
    (root / "deploy").symlink_to(tmp_path)
    (tmp_path / "b.json").write_text(BINDINGS)
    completed = lint(root)
    assert completed.returncode == 2
    assert "leads outside the project" in completed.stderr


def test_a_fifo_config_is_exit_2(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "acp-lint.toml")
    completed = lint(tmp_path)
    assert completed.returncode == 2
    assert "acp-lint.toml: not a regular file (a FIFO)" in completed.stderr


# -- bindings ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "needle"),
    [
        # 10,000 levels parse on the protected run's stack: an object without the keys.
        ('{"a": ' * 10_000 + "1" + "}" * 10_000, "is missing the required key"),
        ("[" * 200_000 + "]" * 200_000, "nested too deeply"),  # deeper than any stack
        ('{"kernel_id": ' + "9" * 5001 + "}", "cannot be read"),
        (BINDINGS.replace("}", ', "base_path": "/other"}'), "duplicate key 'base_path'"),
        ('{"kernel_id": "' + "k" * MAX_JSON_BYTES + '"}', "too large to read"),
    ],
)
def test_hostile_bindings_are_acp203(tmp_path: Path, content: str, needle: str) -> None:
    project(tmp_path, {"acp/views.py": ENV_READ, "controlplane.bindings.json": content})
    found = findings(tmp_path)
    messages = [item["message"] for item in found["controlplane.bindings.json"]]
    assert any(needle in message for message in messages), messages
    assert "ACP203" in {item["code"] for item in found["controlplane.bindings.json"]}


def test_unreadable_bindings_are_not_reported_missing(tmp_path: Path) -> None:
    project(tmp_path, {"acp/views.py": ENV_READ})
    bindings = tmp_path / "controlplane.bindings.json"
    bindings.unlink()
    os.mkfifo(bindings)
    item = only(findings(tmp_path), "controlplane.bindings.json")
    assert item["code"] == "ACP203" and "not a regular file (a FIFO)" in item["message"]
    bindings.unlink()
    bindings.write_text(BINDINGS)
    bindings.chmod(0)
    _really_unreadable(bindings)
    completed = lint(tmp_path, "--output-format", "json", preexec=_without_read_override)
    [item] = [i for i in json.loads(completed.stdout) if i["path"] == bindings.name]
    assert item["code"] == "ACP203" and item["message"] == "cannot read: permission denied"


# -- file names --------------------------------------------------------------------------------
NAMES = [b"acp/new\nline.py", b"acp/bad\xff.py", b"acp/esc\x1b[31m.py", b"acp/cr\rx.py"]


def test_strange_file_names_keep_every_format_valid(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "acp").mkdir()
    for name in NAMES:
        (tmp_path / os.fsdecode(name)).write_text(ENV_READ)
    completed = lint(tmp_path, "--output-format", "json")
    assert completed.returncode == 1
    stdout = completed.stdout.encode("utf-8", "surrogateescape")
    payload = json.loads(stdout.decode("utf-8"))  # valid UTF-8 and valid JSON
    payload = [item for item in payload if item["code"] == "ACP101"]
    assert sorted(os.fsencode(item["path"]) for item in payload) == sorted(NAMES)
    for item in payload:  # the name round-trips to the file on disk
        assert (tmp_path / item["path"]).is_file()
    for output_format in ("concise", "full", "github"):
        completed = lint(tmp_path, "--output-format", output_format)
        lines = completed.stdout.splitlines()
        findings_lines = [line for line in lines if "ACP101" in line and "::error" in line] or [
            line for line in lines if ": ACP101 " in line
        ]
        assert len(findings_lines) == len(NAMES), (output_format, lines)
        assert "\x1b" not in completed.stdout and "\r" not in completed.stdout
        completed.stdout.encode("utf-8")  # no lone surrogates left to write
    text = lint(tmp_path, "--output-format", "concise").stdout
    assert '"acp/new\\nline.py":2:7: ACP101' in text
    assert '"acp/bad\\xff.py":2:7: ACP101' in text
    github = lint(tmp_path, "--output-format", "github").stdout
    assert "file=acp/new%0Aline.py," in github
    sarif = json.loads(lint(tmp_path, "--output-format", "sarif").stdout)
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
    }
    assert "acp/bad%FF.py" in uris and "acp/new%0Aline.py" in uris


def test_deep_urlconf_is_one_acp000_and_shallower_is_analysed(tmp_path: Path) -> None:
    """The URL graph walks ``ast`` recursively: it shares the depth cap and the big stack."""
    urls = (
        "from django.urls import include, path\n"
        "X = {deep}\n"
        'urlpatterns = [path("api/", include("acp.urls")), path("api/manage", X)]\n'
    )
    files: dict[str, str | bytes] = {
        "manage.py": "import os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n",
        "site_cfg/settings.py": "ROOT_URLCONF = 'site_cfg.urls'\nINSTALLED_APPS = ['acp']\n",
        "acp/urls.py": "from django.urls import path\nfrom . import views\n"
        "urlpatterns = [path('manage', views.manage)]\n",
        "acp/views.py": "def manage(request):\n    return None\n",
    }
    deep = " and ".join(["a"] * DEEP)
    project(tmp_path / "deep", {**files, "site_cfg/urls.py": urls.format(deep=deep)})
    item = only(findings(tmp_path / "deep", "--select", "ACP000"), "site_cfg/urls.py")
    assert "too deeply nested to analyse" in item["message"]
    shallow = "+".join(["a"] * 900)
    project(tmp_path / "shallow", {**files, "site_cfg/urls.py": urls.format(deep=shallow)})
    found = findings(tmp_path / "shallow")
    assert {item["code"] for item in found["site_cfg/urls.py"]} == {"ACP201"}
    routes = lint(tmp_path / "deep", "routes")
    assert routes.returncode == 0 and "too deeply nested to analyse" in routes.stdout


@pytest.mark.parametrize("name", ["controlplane.bindings.json", ".acp/manifest.json"])
def test_very_deep_json_without_acp_code_is_never_a_crash(tmp_path: Path, name: str) -> None:
    """Read before any ACP code is known (scope, the mounted view): deeper than any stack."""
    write_tree(tmp_path, {name: "[" * 200_000 + "]" * 200_000, "app/views.py": "X = 1\n"})
    completed = lint(tmp_path, "--output-format", "json")
    found = json.loads(completed.stdout)
    assert all(item["code"] in ("ACP000", "ACP203", "ACP204") for item in found), found
