"""Find, read and strictly validate ``[tool.acp-lint]`` (or ``acp-lint.toml``).

A typo in a config key silently disables a safety rule, so every unknown key, wrong type or
unknown rule is an error that names the file, the key and what was expected (exit 2).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SQL_DIALECTS = ("postgres", "mysql", "sqlite")
ROOT_MARKERS = ("pyproject.toml", "manage.py", ".git")


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names file, key and expectation."""


@dataclass(frozen=True)
class Config:
    """The effective configuration. ``root`` is the project root all paths are relative to."""

    root: Path
    source: Path | None = None
    handlers: tuple[str, ...] = ()
    migrations: tuple[str, ...] = ()
    bindings: str | None = None
    urlconf: str | None = None
    settings: str | None = None
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
KNOWN_KEYS = sorted([*_LIST_KEYS, *_STRING_KEYS, "sql-dialect", "per-file-ignores"])


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None


def _table_of(path: Path) -> dict[str, Any] | None:
    """The acp-lint table of a config file, or None when the file has none."""
    data = _load_toml(path)
    if path.name == "acp-lint.toml":
        return data
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        return None
    table = tool.get("acp-lint")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.acp-lint] must be a table")
    return table


def find_config_file(start: Path) -> Path | None:
    """Walk up from ``start`` to the first ``acp-lint.toml`` or pyproject with our table."""
    for directory in (start, *start.parents):
        candidate = directory / "acp-lint.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _table_of(pyproject) is not None:
            return pyproject
    return None


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
            values[_STRING_KEYS[key]] = value
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
    """The configuration that applies to a run started at ``start`` (a directory)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        table = _table_of(explicit)
        return parse_table(explicit, table or {}, explicit.resolve().parent)
    found = find_config_file(start)
    if found is None:
        return Config(root=find_project_root(start))
    return parse_table(found, _table_of(found) or {}, found.resolve().parent)
