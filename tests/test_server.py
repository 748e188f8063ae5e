"""``acp-lint server`` spoken to over stdio, as an editor does: JSON-RPC with Content-Length
framing to a real subprocess; the fixes it offers are checked against ``acp-lint check --fix``."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from docs_console import console_steps, guide_environment, run_step

from tests.clitools import run_cli

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo"
TIMEOUT = 60.0  # seconds for any one answer; the first lint imports libcst and sqlglot


class Client:
    """A minimal LSP client: one reader thread, a queue of the server's messages."""

    def __init__(
        self, cwd: Path, command: list[str] | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "acp_lint", "server"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env or dict(os.environ),
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            assert length is not None, "a message without Content-Length"
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def wait_for(self, accept: Any, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(message)
            if message.get("method") == "window/showMessageRequest" or (
                "id" in message and "method" in message
            ):
                self.send({"id": message["id"], "result": None})  # answer server requests
                continue
            if accept(message):
                return message
        stderr = b""
        if self.process.poll() is not None and self.process.stderr is not None:
            stderr = self.process.stderr.read()
        raise AssertionError(f"no {what} within {TIMEOUT}s; got {self.seen[-5:]} {stderr!r}")

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        reply = self.wait_for(
            lambda m: m.get("id") == ident and "method" not in m, f"reply to {method}"
        )
        assert "error" not in reply, reply
        return reply["result"]

    def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        message = self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            ),
            f"diagnostics for version {version}",
        )
        return message["params"]["diagnostics"]

    def close(self) -> int:
        try:
            if self.process.poll() is None:
                self.request("shutdown", {})
                self.notify("exit", {})
            return self.process.wait(timeout=TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=TIMEOUT)
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP TextEdits (UTF-16 positions) to ``text``, as an editor does."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: dict[str, int]) -> int:
        line = position["line"]
        if line >= len(lines):
            return len(text)
        encoded = lines[line].encode("utf-16-le")[: 2 * position["character"]]
        return starts[line] + len(encoded.decode("utf-16-le"))

    spans = [(offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO, tmp_path / "demo")
    return tmp_path / "demo"


def _initialize(client: Client, root: Path) -> dict[str, Any]:
    result = client.request(
        "initialize",
        {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}},
    )
    client.notify("initialized", {})
    return result


def test_editor_session(demo: Path) -> None:
    views = demo / "acp" / "views.py"
    uri = views.as_uri()
    on_disk = views.read_text()
    client = Client(demo)
    try:
        capabilities = _initialize(client, demo)["capabilities"]
        assert capabilities["hoverProvider"] is True
        assert "quickfix" in capabilities["codeActionProvider"]["codeActionKinds"]

        # The editor's text, not the file's, is linted: the unsaved buffer adds a finding.
        unsaved = on_disk + '\nSECRET = os.getenv("ACP_SECRET")\n'
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": unsaved}},
        )
        found = client.diagnostics(uri, 1)
        assert (demo / ".acp-lint-cache").is_dir()  # the cache `acp-lint check` uses
        codes = [d["code"] for d in found]
        assert codes.count("ACP101") == 3, found  # two on disk, one only in the buffer
        assert codes.count("ACP104") == 2
        assert {d["source"] for d in found} == {"acp-lint"}
        last_line = len(unsaved.splitlines()) - 1
        assert any(
            d["code"] == "ACP101" and d["range"]["start"]["line"] == last_line for d in found
        )
        # The same findings as `acp-lint check` for the file on disk, at the same positions.
        views.write_text(unsaved)
        completed = run_cli("check", "--output-format", "json", "--no-cache", cwd=demo)
        expected = sorted(
            (d["code"], d["line"] - 1, d["column"] - 1, d["end_line"] - 1, d["end_column"] - 1)
            for d in json.loads(completed.stdout)
            if d["path"] == "acp/views.py"
        )
        views.write_text(on_disk)
        got = sorted(
            (
                d["code"],
                d["range"]["start"]["line"],
                d["range"]["start"]["character"],
                d["range"]["end"]["line"],
                d["range"]["end"]["character"],
            )
            for d in found
        )
        assert got == expected

        # Hover over a finding shows its rule's documentation as markdown.
        acp104 = [d for d in found if d["code"] == "ACP104"]
        hover = client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": acp104[0]["range"]["start"]},
        )
        assert hover["contents"]["kind"] == "markdown"
        docs = run_cli("rule", "ACP104", cwd=demo).stdout
        assert hover["contents"]["value"] == docs
        assert hover["contents"]["value"].startswith("# missing-enabled-guard (ACP104)")
        nothing = client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
        )
        assert nothing is None

        # Code actions for the whole document: one preferred quick fix per ACP104.
        end = {"line": last_line + 1, "character": 0}
        actions = client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": end},
                "context": {"diagnostics": found},
            },
        )
        quick = [a for a in actions if a["kind"] == "quickfix"]
        safe = [a for a in quick if a.get("isPreferred")]
        unsafe = [a for a in quick if not a.get("isPreferred")]
        assert [a["diagnostics"][0]["code"] for a in safe] == ["ACP104", "ACP104"]
        assert not any("(unsafe)" in a["title"] for a in safe)
        # ACP101's fix (moving the read into a function) is unsafe: offered, labelled, not
        # preferred; only for the read the fixer can move.
        assert [a["diagnostics"][0]["code"] for a in unsafe] == ["ACP101"]
        assert unsafe[0]["title"].endswith("(unsafe)")
        assert unsafe[0]["diagnostics"][0]["range"]["start"]["line"] == last_line

        def edits_of(chosen: list[dict[str, Any]]) -> list[dict[str, Any]]:
            edits = []
            for action in chosen:
                (change,) = action["edit"]["documentChanges"]
                assert change["textDocument"] == {"uri": uri, "version": 1}
                edits.extend(change["edits"])
            return edits

        fixed = apply_edits(unsaved, edits_of(safe))
        assert "ACP_ENABLED" in fixed.split("def manage(request):")[1].split("def status")[0]

        # The quick fixes give the text that `acp-lint check --fix` writes.
        views.write_text(unsaved)
        run_cli("check", "--fix", "--no-cache", "acp/views.py", cwd=demo)
        assert fixed == views.read_text()
        (fix_all,) = [a for a in actions if a["kind"] == "source.fixAll.acp-lint"]
        (change,) = fix_all["edit"]["documentChanges"]
        assert apply_edits(unsaved, change["edits"]) == views.read_text()
        # The unsafe fix alone: the file still compiles and that read is no longer flagged.
        moved = apply_edits(unsaved, edits_of(unsafe))
        compile(moved, "views.py", "exec")
        views.write_text(moved)
        completed = run_cli("check", "--output-format", "json", "--no-cache", cwd=demo)
        remaining = [d["message"] for d in json.loads(completed.stdout) if d["code"] == "ACP101"]
        assert len(remaining) == 2 and not any("ACP_SECRET" in m for m in remaining)
        views.write_text(on_disk)

        # didChange to the fixed text: ACP104 is gone, the ACP101s stay.
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": fixed}],
            },
        )
        after = client.diagnostics(uri, 2)
        assert [d["code"] for d in after].count("ACP104") == 0
        assert [d["code"] for d in after].count("ACP101") == 3
        assert views.read_text() == on_disk  # the server never writes the file

        # The same text again (an undo): actions at once, for the document's new version.
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": fixed}]},
        )
        again = client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": end},
                "context": {"diagnostics": after},
            },
        )
        assert again and all(
            a["edit"]["documentChanges"][0]["textDocument"]["version"] == 3 for a in again
        )

        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        assert client.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["diagnostics"] == []
            ),
            "cleared diagnostics on close",
        )
    finally:
        code = client.close()
    assert code == 0


def test_debounce_lints_the_last_text_once(demo: Path) -> None:
    """Quick successive changes are linted once, for the last version only."""
    views = demo / "acp" / "views.py"
    uri = views.as_uri()
    text = views.read_text()
    client = Client(demo)
    try:
        _initialize(client, demo)
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        client.diagnostics(uri, 1)
        entries = sorted((demo / ".acp-lint-cache").rglob("*.json"))
        assert entries  # the saved text's results are cached, as `acp-lint check` caches them
        for version in range(2, 7):
            extra = "".join(f'\nX{n} = os.getenv("ACP_X{n}")\n' for n in range(version - 1))
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": text + extra}],
                },
            )
        last = client.diagnostics(uri, 6)
        assert [d["code"] for d in last].count("ACP101") == 2 + 5
        published = [
            m["params"].get("version")
            for m in client.seen
            if m.get("method") == "textDocument/publishDiagnostics"
        ]
        assert published == [1, 6]
        # Unsaved texts are linted but not cached: the cache is never pruned.
        assert sorted((demo / ".acp-lint-cache").rglob("*.json")) == entries
        # didSave lints again at once; the saved text's results are cached.
        views.write_text(text + extra)
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        assert [d["code"] for d in client.diagnostics(uri, 6)] == [d["code"] for d in last]
        assert len(list((demo / ".acp-lint-cache").rglob("*.json"))) > len(entries)
    finally:
        code = client.close()
    assert code == 0


def test_out_of_scope_and_config_errors(demo: Path) -> None:
    """A host module (no ACP signal) gets no findings, though it reads the environment at
    import time; a broken config is reported, not a crash."""
    shop = demo / "shop" / "settings.py"
    # `--stdio` as LSP clients such as vscode-languageclient append it.
    client = Client(demo, [sys.executable, "-m", "acp_lint", "server", "--stdio"])
    try:
        _initialize(client, demo)
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": shop.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": 'import os\nDATABASE = os.getenv("DATABASE_URL")\n',
                }
            },
        )
        assert client.diagnostics(shop.as_uri(), 1) == []
        broken = demo / "acp" / "broken.py"
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": broken.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": "import os\n\ndef handler(request:\n",
                }
            },
        )
        (syntax,) = client.diagnostics(broken.as_uri(), 1)
        assert syntax["code"] == "ACP000" and "syntax error" in syntax["message"]
        assert not broken.exists()
        (demo / "acp-lint.toml").write_text("selct = []\n")
        views = demo / "acp" / "views.py"
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": views.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": views.read_text(),
                }
            },
        )
        shown = client.wait_for(lambda m: m.get("method") == "window/showMessage", "an error")
        assert "configuration error" in shown["params"]["message"]
        assert "selct" in shown["params"]["message"]
        # The message `acp-lint check` prints for the same file.
        completed = run_cli("check", "acp/views.py", cwd=demo)
        assert completed.returncode == 2
        assert shown["params"]["message"] == completed.stderr.strip()
        assert client.diagnostics(views.as_uri(), 1) == []
    finally:
        code = client.close()
    assert code == 0


def test_check_does_not_import_pygls(tmp_path: Path) -> None:
    probe = (
        "import sys; from acp_lint.cli import main; main(['check', '.']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert completed.stdout.strip().splitlines()[-1] == "[]", completed


def test_missing_pygls_is_a_clear_error(tmp_path: Path) -> None:
    """Without the optional dependency: one line saying what to install, exit 2."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    # Hide the installed packages the way a missing one is hidden: no module found.
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pygls', 'lsprotocol'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Hide())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    completed = subprocess.run(
        [sys.executable, "-m", "acp_lint", "server"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 2, completed
    assert "pip install 'acp-lint[server]'" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_positions_are_utf16_code_units_across_line_endings() -> None:
    """Engine columns count code points; LSP's default counts UTF-16 units, so a character
    outside the BMP before a finding shifts it by one more; \r\n and \r end lines too."""
    from acp_lint.server import LineIndex

    text = 'a = 1\r\nb = "\U0001f642" + x\rc\n'
    utf16 = LineIndex(text)
    x = text.index("x")
    assert utf16.position(x) == (1, 11)  # code-point column 10, plus the surrogate pair
    assert utf16.offset_of(2, 11) == x  # the engine's 1-based line 2, column 11
    assert utf16.offset(1, 11) == x
    assert utf16.position(text.index("c")) == (2, 0)
    assert LineIndex(text, "utf-32").position(x) == (1, 10)
    assert LineIndex(text, "utf-8").position(x) == (1, 13)
    assert utf16.position(len(text)) == (3, 0)


def test_editor_guide_commands_work_as_written(demo: Path) -> None:
    """docs/editors.md: its console steps run, and the command its VS Code and Neovim set-ups
    start (found on PATH, as an editor finds it) answers an LSP exchange."""
    guide = (REPO / "docs" / "editors.md").read_text()
    env = guide_environment()
    steps = console_steps(guide)
    assert steps
    for step in steps:
        run_step(step, demo, env)
    settings = json.loads(guide.split("```json\n")[1].split("```")[0])
    command = [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]]
    assert guide.count('cmd = { "acp-lint", "server" }') == 3  # each Neovim set-up
    assert command == ["acp-lint", "server"]
    executable = shutil.which(command[0], path=env["PATH"])
    assert executable is not None
    client = Client(demo, [executable, *command[1:]], env)
    try:
        _initialize(client, demo)
        views = demo / "acp" / "views.py"
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": views.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": views.read_text(),
                }
            },
        )
        assert "ACP104" in [d["code"] for d in client.diagnostics(views.as_uri(), 1)]
    finally:
        code = client.close()
    assert code == 0


def test_project_rules_see_the_unsaved_urlconf(demo: Path) -> None:
    """ACP201 (a host route and the ACP endpoint compete for a path) on the URLconf being
    edited, computed from its unsaved text: the same finding `acp-lint check` reports once the
    text is saved."""
    urls = demo / "shop" / "urls.py"
    uri = urls.as_uri()
    text = urls.read_text()
    client = Client(demo)

    def checked(content: str) -> list[tuple[str, int, str]]:
        urls.write_text(content)
        completed = run_cli("check", "--output-format", "json", "--no-cache", cwd=demo)
        urls.write_text(text)
        return sorted(
            (d["code"], d["line"] - 1, d["message"])
            for d in json.loads(completed.stdout)
            if d["path"] == "shop/urls.py"
        )

    def shown(found: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
        return sorted((d["code"], d["range"]["start"]["line"], d["message"]) for d in found)

    try:
        _initialize(client, demo)
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        before = client.diagnostics(uri, 1)
        assert [d["code"] for d in before] == ["ACP201"]
        assert shown(before) == checked(text)
        include = '    path("api/", include("acp.urls")),\n'
        admin = '    path("admin/", admin.site.urls),\n'
        reordered = text.replace(include, "").replace(admin, admin + include)
        assert reordered != text
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": reordered}]},
        )
        after = client.diagnostics(uri, 2)
        assert shown(after) == checked(reordered) != shown(before)
        assert urls.read_text() == text

        # Another open, unsaved document takes part: with the ACP route moved to
        # api/v1/manage, the URLconf's findings are those of check on both texts saved.
        acp_urls = demo / "acp" / "urls.py"
        acp_text = acp_urls.read_text()
        moved = acp_text.replace('path("manage"', 'path("v1/manage"')
        assert moved != acp_text
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": acp_urls.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": moved,
                }
            },
        )
        client.diagnostics(acp_urls.as_uri(), 1)
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]},
        )
        linted = shown(client.diagnostics(uri, 3))
        acp_urls.write_text(moved)
        expected = checked(text)
        acp_urls.write_text(acp_text)
        assert linted == expected
        assert expected != shown(before)  # the same URLconf text, another verdict
    finally:
        code = client.close()
    assert code == 0


@pytest.mark.parametrize(
    "stdin",
    [b"", b"Content-Length: 5\r\n\r\nhello", b"garbage\r\n\r\n", b"Content-Length: 9"],
    ids=["eof", "not-json", "no-header", "truncated"],
)
def test_bad_input_ends_cleanly(tmp_path: Path, stdin: bytes) -> None:
    """An editor that dies or sends garbage: the server exits 0 at end of input, with at
    most one log line per bad message and never a traceback."""
    completed = subprocess.run(
        [sys.executable, "-m", "acp_lint", "server"],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed
    assert b"Traceback" not in completed.stderr
    assert len(completed.stderr.splitlines()) <= 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-32"])
def test_negotiated_position_encoding(demo: Path, encoding: str) -> None:
    """A client that asks for UTF-8 or UTF-32 positions gets them: columns after a
    non-ASCII character count that character's bytes (UTF-8) or code points (UTF-32)."""
    views = demo / "acp" / "views.py"
    line = 'GREETING, X = "h\u00e9\U0001f642", os.getenv("ACP_X")'
    text = views.read_text() + "\n" + line + "\n"
    client = Client(demo)
    try:
        result = client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": demo.as_uri(),
                "capabilities": {"general": {"positionEncodings": [encoding]}},
            },
        )
        assert result["capabilities"]["positionEncoding"] == encoding
        client.notify("initialized", {})
        uri = views.as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        number = text.splitlines().index(line)
        (found,) = [d for d in client.diagnostics(uri, 1) if d["range"]["start"]["line"] == number]
        prefix = line[: line.index("os.getenv")]
        units = len(prefix.encode("utf-8")) if encoding == "utf-8" else len(prefix)
        assert found["code"] == "ACP101"
        assert found["range"]["start"]["character"] == units
    finally:
        code = client.close()
    assert code == 0


def test_a_fifo_and_a_broken_codec_do_not_stop_the_server(demo: Path) -> None:
    """A document opened at a FIFO's path (an unpacked tree can hold one) made the server
    read the FIFO and block for good; a hover on a FIFO that is not open made pygls read it
    in the event loop; a coding cookie naming a codec that fails (``undefined``) was an
    internal error, and broke every later lint while the document stayed open."""
    fifo = demo / "acp" / "fifo.py"
    os.mkfifo(fifo)
    closed_fifo = demo / "acp" / "closed.py"
    os.mkfifo(closed_fifo)
    views = demo / "acp" / "views.py"
    odd = demo / "acp" / "odd.py"
    client = Client(demo)
    try:
        _initialize(client, demo)
        for uri, text in (
            (fifo.as_uri(), 'import os\nKEY = os.environ["ACP_KEY"]\n'),
            (odd.as_uri(), "# -*- coding: undefined -*-\nimport os\n"),
            (views.as_uri(), views.read_text()),
        ):
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
            )
        assert [d["code"] for d in client.diagnostics(fifo.as_uri(), 1)] == ["ACP101"]
        (decode,) = client.diagnostics(odd.as_uri(), 1)
        assert decode["code"] == "ACP000" and "undefined" in decode["message"]
        assert "ACP104" in {d["code"] for d in client.diagnostics(views.as_uri(), 1)}
        position = {"line": 0, "character": 0}
        hover = {"textDocument": {"uri": closed_fifo.as_uri()}, "position": position}
        assert client.request("textDocument/hover", hover) is None
    finally:
        code = client.close()
    assert code == 0
