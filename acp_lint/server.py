"""``acp-lint server``: a Language Server over stdio, so editors show findings as you type.

Diagnostics on open, change (debounced) and save; each fix as a code action (safe ones are the
preferred quick fixes); a rule's documentation on hover. The document's unsaved text is linted
through the engine's overlay, with the configuration and results cache that ``acp-lint check``
uses for the same file. Only ``acp-lint server`` imports pygls (an optional dependency).
"""

from __future__ import annotations

import asyncio
import bisect
import os
import re
import tokenize
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

from acp_lint import __version__
from acp_lint.api import RunResult, lint, select_codes
from acp_lint.config import ConfigError, load_config
from acp_lint.diagnostics import Applicability, Diagnostic, Edit
from acp_lint.discovery import EXTENSIONS
from acp_lint.errors import InternalError
from acp_lint.fixes import fix_bytes
from acp_lint.records import record, replace

DEBOUNCE_SECONDS = 0.3
SOURCE = "acp-lint"
FIX_ALL_KIND = "source.fixAll.acp-lint"
MISSING = (
    "acp-lint server needs pygls and lsprotocol: pip install 'acp-lint[server]' "
    "(or pip install pygls lsprotocol)"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@record(frozen=True)
class Linted:
    """One document's findings, for the exact text and version they were computed from."""

    rel: str | None  # project-relative path; None when not in a project's lint scope
    version: int | None
    text: str
    diagnostics: list[Diagnostic]


def encode_document(rel: str, text: str) -> bytes:
    """The bytes the file would have if saved: a Python coding cookie is honoured."""
    if rel.endswith(".py"):
        head = b"".join(text.encode("utf-8", "surrogatepass").splitlines(True)[:2])
        try:
            encoding = tokenize.detect_encoding(BytesIO(head).readline)[0]
            return text.encode(encoding)
        except (SyntaxError, LookupError, UnicodeError, ValueError):
            pass  # the engine reports the bad cookie or character as ACP000
    return text.encode("utf-8", "surrogatepass")


def project_path(path: Path) -> tuple[Any, str] | None:
    """(config, project-relative path) for a file acp-lint looks at; raises ConfigError."""
    if not path.name.endswith(EXTENSIONS):
        return None
    config = load_config(path.parent)
    try:
        rel = path.resolve().relative_to(config.root.resolve()).as_posix()
    except (ValueError, OSError):
        return None
    return config, rel


def _editor_cache(root: Path, salt: str, overlay: dict[str, bytes]) -> Any:
    """``acp-lint check``'s results cache, read in full but written only for saved content:
    every pause in typing is a new text, which would fill the cache faster than its pruning
    (once a day) empties it."""
    from acp_lint.cache import ResultCache
    from acp_lint.sources import read_in_repository

    def saved(rel: str, data: bytes) -> bool:
        # as the project's files are read: a FIFO there must not block the server
        return read_in_repository(root / rel, root) == data

    unsaved = {rel for rel, data in overlay.items() if not saved(rel, data)}

    class EditorCache(ResultCache):
        def __init__(self) -> None:
            super().__init__(root, salt)
            self.unsaved_keys: set[str] = set()

        def file_key(self, path: str, role: str, content: bytes) -> str:
            key = super().file_key(path, role, content)
            if path in unsaved:
                self.unsaved_keys.add(key)
            return key

        def put_file(self, key: str, diagnostics: Any) -> None:
            if key not in self.unsaved_keys:
                super().put_file(key, diagnostics)

        def put_project(self, key: str, *args: Any) -> None:
            if not unsaved:
                super().put_project(key, *args)

    return EditorCache()


def _lint(
    config: Any, rel: str, text: str, others: Mapping[Path, str], fix: bool = False
) -> RunResult:
    """Lint the document with an overlay that holds it and the project's other open documents
    (the URL graph and bindings.json rules read them as the editor shows them)."""
    codes = select_codes(config)
    overlay = {rel: encode_document(rel, text)}
    root = config.root.resolve()
    for path, other in sorted(others.items()):
        try:
            other_rel = path.resolve().relative_to(root).as_posix()
        except (ValueError, OSError):
            continue
        if other_rel.endswith(EXTENSIONS) and other_rel not in overlay:
            overlay[other_rel] = encode_document(other_rel, other)
    cache = None
    if not os.environ.get("ACP_LINT_NO_CACHE"):
        salt = f"{config.fingerprint}|{sorted(codes)}"  # the key `acp-lint check` uses
        cache = _editor_cache(config.root, salt, overlay)
    result = lint(
        config, codes, paths=[rel], overlay=overlay, fix=fix, cache=cache, build_fixes=True
    )
    if cache is not None:
        cache.prune_if_due()
    return result


def lint_document(
    path: Path, text: str, version: int | None = None, others: Mapping[Path, str] | None = None
) -> Linted:
    """Lint ``text`` as the content of ``path`` (not read from disk), fixes built;
    ``others`` are the editor's other open documents."""
    found = project_path(path)
    if found is None:
        return Linted(None, version, text, [])
    config, rel = found
    result = _lint(config, rel, text, others or {})
    return Linted(rel, version, text, [d for d in result.diagnostics if d.path == rel])


def fix_all_text(path: Path, text: str, others: Mapping[Path, str] | None = None) -> str | None:
    """The document with every safe fix applied (the ``--fix`` loop); None if nothing changes."""
    found = project_path(path)
    if found is None:
        return None
    config, rel = found
    result = _lint(config, rel, text, others or {}, fix=True)
    if rel not in result.changed:
        return None
    from acp_lint.encoding import DecodeError, decode_python, decode_text

    after = result.changed[rel][1]
    try:
        return (decode_python(after) if rel.endswith(".py") else decode_text(after)).text
    except DecodeError:
        return None


def applicable(linted: Linted, diagnostic: Diagnostic) -> bool:
    """The diagnostic's fix exists, is built, and leaves the file parseable (as ``--fix``)."""
    fix = diagnostic.fix
    if fix is None or fix.deferred or linted.rel is None:
        return False
    data = encode_document(linted.rel, linted.text)
    return fix_bytes(linted.rel, data, [fix]) is not None


class LineIndex:
    """Engine positions (1-based lines, code-point columns and offsets) to LSP positions
    (0-based, in the negotiated encoding's code units) and back."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def _line_text(self, line: int) -> str:
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line] : end].rstrip("\r\n")

    def _units(self, chars: str) -> int:
        if self.encoding == "utf-32":
            return len(chars)
        if self.encoding == "utf-8":
            return len(chars.encode("utf-8", "surrogatepass"))
        return len(chars.encode("utf-16-le", "surrogatepass")) // 2

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        prefix = self.text[self.starts[line] : offset]
        return line, self._units(prefix)

    def offset_of(self, line: int, column: int) -> int:
        """Offset of a 1-based (line, code-point column) as the engine reports them."""
        line = max(1, min(line, len(self.starts)))
        start = self.starts[line - 1]
        return min(start + max(column - 1, 0), start + len(self._line_text(line - 1)))

    def offset(self, line: int, character: int) -> int:
        """Offset of an LSP position (0-based line, code units)."""
        if line >= len(self.starts):
            return len(self.text)
        text = self._line_text(line)
        units = 0
        for index, char in enumerate(text):
            if units >= character:
                return self.starts[line] + index
            units += self._units(char)
        return self.starts[line] + len(text)


def build_server() -> Any:
    """The pygls server with acp-lint's features registered (imports pygls)."""
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    class AcpLintServer(LanguageServer):
        def __init__(self) -> None:
            super().__init__(SOURCE, __version__)
            self.linted: dict[str, Linted] = {}
            self.pending: dict[str, asyncio.Task[None]] = {}
            # One lint at a time: the engine's protected runs and the cache are per process.
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="acp-lint")

        def index(self, text: str) -> LineIndex:
            encoding = getattr(self.workspace.position_encoding, "value", None)
            encoding = encoding or str(self.workspace.position_encoding or "utf-16")
            return LineIndex(text, encoding)

    server = AcpLintServer()

    def to_range(index: LineIndex, start: int, end: int) -> lsp.Range:
        (line, char), (end_line, end_char) = index.position(start), index.position(end)
        return lsp.Range(lsp.Position(line, char), lsp.Position(end_line, end_char))

    def diagnostic_range(index: LineIndex, d: Diagnostic) -> lsp.Range:
        start = index.offset_of(d.line, d.column)
        return to_range(index, start, max(start, index.offset_of(d.end_line, d.end_column)))

    def to_lsp(index: LineIndex, d: Diagnostic) -> lsp.Diagnostic:
        return lsp.Diagnostic(
            range=diagnostic_range(index, d),
            message=d.message,
            severity=lsp.DiagnosticSeverity.Error,
            code=d.code,
            source=SOURCE,
            data={"name": d.name, "fixable": d.fixable},
        )

    async def lint(uri: str) -> Linted | None:
        """Lint the document's current text and publish; None if it changed meanwhile."""
        if not uri.startswith("file:"):
            return None  # an unsaved buffer has no project, so no configuration or scope
        if uri not in server.workspace.text_documents:
            # Not open: pygls would read it from disk with a plain open() in the event loop
            # (a FIFO there froze the server); only open documents are linted.
            return None
        document = server.workspace.get_text_document(uri)
        text, version = document.source, document.version
        path = Path(to_fs_path(uri) or "")
        loop = asyncio.get_running_loop()
        try:
            linted = await loop.run_in_executor(
                server.executor, lint_document, path, text, version, open_documents(uri)
            )
        except ConfigError as error:
            server.window_show_message(
                lsp.ShowMessageParams(
                    lsp.MessageType.Error, f"acp-lint: configuration error: {error}"
                )
            )
            linted = Linted(None, version, text, [])
        except Exception as error:  # noqa: BLE001 - a crash is reported, the server goes on
            message = str(error) if isinstance(error, InternalError) else repr(error)
            server.window_log_message(
                lsp.LogMessageParams(lsp.MessageType.Error, f"acp-lint: internal error: {message}")
            )
            linted = Linted(None, version, text, [])
        current = server.workspace.get_text_document(uri)
        if current.version != version or current.source != text:
            return None
        server.linted[uri] = linted
        index = server.index(text)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri,
                version=version,
                diagnostics=[to_lsp(index, d) for d in linted.diagnostics],
            )
        )
        return linted

    def open_documents(but: str) -> dict[Path, str]:
        """The other open documents' texts (a snapshot: the lint runs in another thread)."""
        return {
            Path(to_fs_path(uri) or ""): document.source
            for uri, document in list(server.workspace.text_documents.items())
            if uri != but and uri.startswith("file:")
        }

    def schedule(uri: str, delay: float) -> None:
        previous = server.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()

        async def later() -> None:
            await asyncio.sleep(delay)
            await lint(uri)

        server.pending[uri] = asyncio.ensure_future(later())

    async def current(uri: str) -> Linted | None:
        """Findings for the document's current text, linting now if the last run is stale."""
        if uri not in server.workspace.text_documents:
            return None  # not open (see ``lint``)
        document = server.workspace.get_text_document(uri)
        known = server.linted.get(uri)
        if known is not None and known.text == document.source:
            return replace(known, version=document.version)  # e.g. an undo back to this text
        for _ in range(3):  # the text may change while it is linted
            known = await lint(uri)
            if known is not None:
                return known
        return None

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = server.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        server.linted.pop(uri, None)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        linted = await current(uri)
        if linted is None or linted.rel is None:
            return []
        index = server.index(linted.text)
        wanted = params.context.only
        actions: list[lsp.CodeAction] = []
        start = index.offset(params.range.start.line, params.range.start.character)
        end = index.offset(params.range.end.line, params.range.end.character)
        if not wanted or any(lsp.CodeActionKind.QuickFix.value.startswith(k) for k in wanted):
            for d in linted.diagnostics:
                d_start = index.offset_of(d.line, d.column)
                d_end = max(d_start, index.offset_of(d.end_line, d.end_column))
                if d_start > end or d_end < start or not applicable(linted, d):
                    continue
                assert d.fix is not None
                safe = d.fix.applicability is Applicability.SAFE
                actions.append(
                    lsp.CodeAction(
                        title=f"{d.code}: {d.fix.message}" + ("" if safe else " (unsafe)"),
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[to_lsp(index, d)],
                        is_preferred=safe,
                        edit=workspace_edit(uri, linted.version, index, d.fix.edits),
                    )
                )
        if not wanted or any(FIX_ALL_KIND.startswith(k) for k in wanted):
            path = Path(to_fs_path(uri) or "")
            loop = asyncio.get_running_loop()
            fixed = await loop.run_in_executor(
                server.executor, fix_all_text, path, linted.text, open_documents(uri)
            )
            if fixed is not None:
                whole = (0, len(linted.text), fixed)
                actions.append(
                    lsp.CodeAction(
                        title="acp-lint: fix all safe problems",
                        kind=FIX_ALL_KIND,
                        edit=workspace_edit(uri, linted.version, index, [Edit(*whole)]),
                    )
                )
        return actions

    def workspace_edit(
        uri: str, version: int | None, index: LineIndex, edits: Any
    ) -> lsp.WorkspaceEdit:
        text_edits: list[lsp.TextEdit | lsp.AnnotatedTextEdit | lsp.SnippetTextEdit] = [
            lsp.TextEdit(range=to_range(index, e.start, e.end), new_text=e.replacement)
            for e in sorted(edits)
        ]
        document = lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return lsp.WorkspaceEdit(
            document_changes=[lsp.TextDocumentEdit(text_document=document, edits=text_edits)]
        )

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        from acp_lint.docs import render_rule_docs

        linted = await current(params.text_document.uri)
        if linted is None:
            return None
        index = server.index(linted.text)
        at = index.offset(params.position.line, params.position.character)
        codes: list[str] = []
        for d in linted.diagnostics:
            start = index.offset_of(d.line, d.column)
            end = index.offset_of(d.end_line, d.end_column)
            on_line = start == end and index.position(start)[0] == params.position.line
            if (start <= at <= end or on_line) and d.code not in codes:
                codes.append(d.code)
        if not codes:
            return None
        text = "\n---\n\n".join(render_rule_docs(code) for code in codes)
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))

    return server


def serve() -> int:
    """Run the server on stdin/stdout until the client says exit."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        import sys

        sys.stderr.write(f"{MISSING}\n")
        return 2
    _log_one_line()
    build_server().start_io()
    return 0


def _log_one_line() -> None:
    """pygls logs a malformed message with its traceback; the editor's log gets one line."""
    import logging

    class OneLine(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
                record.args = ()
            record.exc_info = record.exc_text = None
            return super().format(record)

    handler = logging.StreamHandler()
    handler.setFormatter(OneLine("acp-lint server: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
