"""Find, read and strictly validate ``[tool.acp-lint]`` (or ``acp-lint.toml``).

A typo in a config key silently disables a safety rule, so every unknown key, wrong type or
unknown rule is an error that names the file, the key and what was expected (exit 2).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from acp_lint.records import field, record

SQL_DIALECTS = ("postgres", "mysql", "sqlite")
FRAMEWORKS = ("django", "fastapi")
ROOT_MARKERS = ("pyproject.toml", "manage.py", ".git")
# Files that only the project root holds: they fix the root whichever path is passed.
ANCHORS = (".acp/manifest.json", "controlplane.bindings.json")


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names file, key and expectation."""


@record(frozen=True)
class Config:
    """The effective configuration. ``root`` is the project root all paths are relative to."""

    root: Path
    source: Path | None = None
    handlers: tuple[str, ...] = ()
    migrations: tuple[str, ...] = ()
    bindings: str | None = None
    urlconf: str | None = None
    settings: str | None = None
    app: str | None = None  # FastAPI: uvicorn's import string, ``pkg.module:app``
    framework: str | None = None  # ``django`` or ``fastapi`` (None: detected)
    sql_dialect: str = "postgres"
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    env_readers: tuple[str, ...] = ()
    client_constructors: tuple[str, ...] = ()
    heartbeat_functions: tuple[str, ...] = ()
    handler_functions: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def fingerprint(self) -> str:
        """A stable text form of everything that can change a result (used by the cache)."""
        values = {k: v for k, v in self.__dict__.items() if k not in ("root", "source", "extra")}
        return repr(sorted(values.items()))


_LIST_KEYS = {
    "handlers": "handlers",
    "migrations": "migrations",
    "select": "select",
    "ignore": "ignore",
    "extend-select": "extend_select",
    "exclude": "exclude",
    "extend-exclude": "extend_exclude",
    "env-readers": "env_readers",
    "client-constructors": "client_constructors",
    "heartbeat-functions": "heartbeat_functions",
    "handler-functions": "handler_functions",
}
_STRING_KEYS = {"bindings": "bindings", "urlconf": "urlconf", "settings": "settings"}
_RULE_LIST_KEYS = ("select", "ignore", "extend-select")
KNOWN_KEYS = sorted(
    [*_LIST_KEYS, *_STRING_KEYS, "sql-dialect", "per-file-ignores", "app", "framework"]
)


MAX_CONFIG_BYTES = 1024 * 1024


def toml_reader() -> ModuleType:
    """``tomllib`` (``tomli`` on 3.10), imported only when a TOML file is read: a run
    without one does not pay for it."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


def _load_toml(path: Path) -> dict[str, Any]:
    """A TOML file's data; every way it can be unusable is a ConfigError naming the file."""
    from acp_lint.sources import ReadProblem, read_regular_file

    try:
        data = read_regular_file(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        if path.is_symlink():
            raise ConfigError(f"{path}: cannot read: a symbolic link to nothing") from None
        raise ConfigError(f"{path}: config file not found") from None
    except ReadProblem as problem:
        raise ConfigError(f"{path}: {problem}") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 (invalid byte 0x{data[error.start]:02x} at offset {error.start}); "
            "TOML files must be encoded in UTF-8"
        ) from None
    tomllib = toml_reader()
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to read") from None
    except ValueError as error:  # an integer of thousands of digits
        raise ConfigError(f"{path}: invalid TOML: a value cannot be read: {error}") from None
    except MemoryError:
        raise ConfigError(f"{path}: invalid TOML: too large to read") from None


def _table_of(path: Path) -> dict[str, Any] | None:
    """The acp-lint table of a config file, or None when the file has none.

    ``pyproject.toml`` holds it as ``[tool.acp-lint]``; any other file (``acp-lint.toml``, or
    whatever ``--config`` names) holds the keys at top level, as ``ruff.toml`` does. A file
    named otherwise that holds nothing but ``[tool.acp-lint]`` is read as a pyproject."""
    data = _load_toml(path)
    tool = data.get("tool")
    has_tool_table = isinstance(tool, dict) and "acp-lint" in tool
    if path.name == "pyproject.toml" or (
        path.name != "acp-lint.toml" and has_tool_table and set(data) == {"tool"}
    ):
        if not isinstance(tool, dict):
            return None
        table = tool.get("acp-lint")
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.acp-lint] must be a table")
        return table
    if has_tool_table:
        raise ConfigError(
            f"{path}: {path.name} holds its keys at top level (as ruff.toml does); "
            "move the keys of [tool.acp-lint] to the top of the file and remove the header "
            "([tool.acp-lint] is for pyproject.toml)"
        )
    return data


def _holds_config(directory: Path) -> Path | None:
    """The config file of ``directory``; one that exists but is not a readable regular file
    is an error (in ``_load_toml``), never silently skipped."""
    candidate = directory / "acp-lint.toml"
    if os.path.lexists(candidate):
        return candidate
    pyproject = directory / "pyproject.toml"
    if not os.path.lexists(pyproject):
        return None
    if os.path.islink(pyproject):
        _refuse_links_out(pyproject)  # read only to learn whether it holds our table
    return pyproject if _table_of(pyproject) is not None else None


def _git_top(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return None


def _up_to(start: Path, top: Path | None) -> list[Path]:
    """``start`` and its parents, up to ``top`` inclusive (all of them without a top)."""
    directories = []
    for directory in (start, *start.parents):
        directories.append(directory)
        if directory == top:
            break
    return directories


def find_config_file(start: Path) -> Path | None:
    """Walk up from ``start`` to the first ``acp-lint.toml`` or pyproject with our table."""
    for directory in _up_to(start, _git_top(start)):
        found = _holds_config(directory)
        if found is not None:
            return found
    return None


def discover_root(start: Path) -> tuple[Path, Path | None]:
    """The project root (and its config file) for a run whose paths have ``start`` in common.

    DESIGN §10: walking up (never past the top of the git work tree), the first directory
    holding a config, ``.acp/manifest.json`` or ``controlplane.bindings.json``; else the top of
    the git work tree; else the nearest directory with ``pyproject.toml`` or ``manage.py``.
    """
    top = _git_top(start)
    for directory in _up_to(start, top):
        found = _holds_config(directory)
        if found is not None:
            return directory, found
        if any((directory / marker).is_file() for marker in ANCHORS):
            return directory, None
    if top is not None:
        return top, None
    return find_project_root(start), None


def find_project_root(start: Path) -> Path:
    """Without a config file: the nearest directory holding a root marker, else ``start``."""
    for directory in (start, *start.parents):
        if any((directory / marker).exists() for marker in ROOT_MARKERS):
            return directory
    return start


def _expect_str_list(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(
            f"{path}: [tool.acp-lint] key '{key}': expected a list of strings, "
            f"got {type(value).__name__} {value!r}"
        )
    return tuple(value)


def _check_rules(path: Path, key: str, selectors: tuple[str, ...]) -> tuple[str, ...]:
    from acp_lint.registry import resolve_selector

    codes: list[str] = []
    for selector in selectors:
        resolved = resolve_selector(selector)
        if not resolved:
            raise ConfigError(
                f"{path}: [tool.acp-lint] key '{key}': unknown rule '{selector}'; "
                "expected a rule code (e.g. ACP101), a code prefix (ACP1) or a rule name"
            )
        codes.extend(resolved)
    return tuple(codes)


def _check_project_path(path: Path, key: str, value: str, root: Path) -> None:
    """A path from config must stay inside the project root and out of ``.git/``, also
    through symlinks."""
    parts = value.replace("\\", "/").split("/")
    if os.path.isabs(value) or value.startswith(("/", "\\")) or ":" in parts[0]:
        problem = "an absolute path"
    elif ".." in parts:
        problem = "a path with '..'"
    elif ".git" in parts:
        problem = "a path inside .git/"
    elif not _resolves_inside(root, value):
        problem = "a path that leads outside the project (through a symbolic link)"
    else:
        return
    raise ConfigError(
        f"{path}: [tool.acp-lint] key '{key}': {value!r} is {problem}; expected a path relative "
        "to the project root that stays inside it (and out of .git/)"
    )


def _check_dotted_module(path: Path, key: str, value: str) -> None:
    """``urlconf`` and ``settings`` name modules as Django does (``ROOT_URLCONF``), not files."""
    if all(part.isidentifier() for part in value.split(".")):
        return
    stem = value.replace("\\", "/").removesuffix(".py").strip("/")
    suggestion = stem.replace("/", ".")
    hint = (
        f" (for {value!r} write {suggestion!r})"
        if all(part.isidentifier() for part in suggestion.split("."))
        else ""
    )
    raise ConfigError(
        f"{path}: [tool.acp-lint] key '{key}': expected a dotted module name, as Django's "
        f"ROOT_URLCONF/DJANGO_SETTINGS_MODULE take it, got {value!r}{hint}"
    )


def _check_app(path: Path, value: Any) -> str:
    """``app`` is uvicorn's import string: a dotted module, a colon, an attribute."""
    module, colon, attribute = value.partition(":") if isinstance(value, str) else ("", "", "")
    if (
        colon
        and module
        and all(part.isidentifier() for part in module.split("."))
        and attribute.isidentifier()
    ):
        return str(value)
    raise ConfigError(
        f"{path}: [tool.acp-lint] key 'app': expected an import string \"pkg.module:app\" "
        f"(a dotted module, ':', the application's name), got {value!r}"
    )


def _resolves_inside(root: Path, value: str) -> bool:
    try:
        real_root = root.resolve()
        target = (real_root / value).resolve()
    except (OSError, RuntimeError):
        return False
    return target.is_relative_to(real_root) and not target.is_relative_to(real_root / ".git")


def parse_table(path: Path, table: dict[str, Any], root: Path) -> Config:
    """Validate an acp-lint table and build a Config from it."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _LIST_KEYS:
            items = _expect_str_list(path, key, value)
            if key in _RULE_LIST_KEYS:
                items = _check_rules(path, key, items)
            values[_LIST_KEYS[key]] = items
        elif key in _STRING_KEYS:
            if not isinstance(value, str) or not value:
                raise ConfigError(
                    f"{path}: [tool.acp-lint] key '{key}': expected a non-empty string, "
                    f"got {value!r}"
                )
            if key == "bindings":
                _check_project_path(path, key, value, root)
            else:
                _check_dotted_module(path, key, value)
            values[_STRING_KEYS[key]] = value
        elif key == "framework":
            if value not in FRAMEWORKS:
                raise ConfigError(
                    f"{path}: [tool.acp-lint] key 'framework': expected one of "
                    f"{', '.join(FRAMEWORKS)}, got {value!r}"
                )
            values["framework"] = value
        elif key == "app":
            values["app"] = _check_app(path, value)
        elif key == "sql-dialect":
            if value not in SQL_DIALECTS:
                raise ConfigError(
                    f"{path}: [tool.acp-lint] key 'sql-dialect': expected one of "
                    f"{', '.join(SQL_DIALECTS)}, got {value!r}"
                )
            values["sql_dialect"] = value
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{path}: [tool.acp-lint] key 'per-file-ignores': expected a table of "
                    f"glob = [codes], got {type(value).__name__}"
                )
            pairs = []
            for glob, codes in value.items():
                items = _expect_str_list(path, f"per-file-ignores.{glob}", codes)
                pairs.append((glob, _check_rules(path, f"per-file-ignores.{glob}", items)))
            values["per_file_ignores"] = tuple(pairs)
        else:
            raise ConfigError(
                f"{path}: [tool.acp-lint] unknown key '{key}'; expected one of: "
                + ", ".join(KNOWN_KEYS)
            )
    return Config(root=root, source=path, **values)


def load_config(start: Path, explicit: Path | None = None) -> Config:
    """The configuration that applies to a run whose paths have ``start`` (a directory) in
    common; the root is the same whichever of the project's paths is passed."""
    if explicit is not None:
        if not os.path.lexists(explicit):
            raise ConfigError(f"{explicit}: config file not found")
        _refuse_links_out(explicit)
        table = _table_of(explicit)
        return parse_table(explicit, table or {}, explicit.resolve().parent)
    root, found = discover_root(start)
    if found is None:
        return Config(root=root)
    _refuse_links_out(found)
    return parse_table(found, _table_of(found) or {}, found.resolve().parent)


def _refuse_links_out(path: Path) -> None:
    """The root is the config file's directory once resolved: a committed
    ``acp-lint.toml -> /.dockerenv`` would make it ``/``, and every file of the disk the
    project's. A config in a work tree must resolve inside it (``sources.link_problem``)."""
    from acp_lint.sources import link_problem

    problem = link_problem(str(path))
    if problem is not None:
        raise ConfigError(f"{path}: {problem}; it is not read")
