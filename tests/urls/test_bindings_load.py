"""bindings.json: loading, positions of every error, the path grammar, ACP202 between paths."""

from __future__ import annotations

import json

import pytest

from acp_lint.routes import load_bindings, validate_base_path

PATH = "controlplane.bindings.json"
GOOD = '{\n  "kernel_id": "k1",\n  "base_path": "/api",\n  "endpoint_path": "/api/manage"\n}\n'


def test_valid_bindings_and_positions() -> None:
    result = load_bindings(GOOD.encode(), PATH)
    assert result.errors == []
    bindings = result.bindings
    assert (bindings.kernel_id, bindings.base_path, bindings.endpoint_path) == (
        "k1",
        "/api",
        "/api/manage",
    )
    position = bindings.positions["endpoint_path"]
    assert (position.line, position.column, position.end_line, position.end_column) == (
        4,
        20,
        4,
        33,
    )


def test_accepts_str_and_bom() -> None:
    assert load_bindings(GOOD, PATH).errors == []
    assert load_bindings("\ufeff" + GOOD, PATH).errors == []


def test_not_utf8() -> None:
    [error] = load_bindings(b'{\n  "kernel_id": "\xff"\n}', PATH).errors
    assert (error.code, error.line, error.column) == ("ACP203", 2, 17)
    assert "UTF-8" in error.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (
            '{\n  "kernel_id": "k",\n  "base_path": "/api"\n  "endpoint_path": "/api/manage"\n}',
            4,
            3,
        ),
        ('{\n  "kernel_id": "k",\n}', 3, 1),
        ("", 1, 1),
        ('{"a": tru}', 1, 7),
    ],
)
def test_malformed_json_reports_its_position(text: str, line: int, column: int) -> None:
    [error] = load_bindings(text.encode(), PATH).errors
    with pytest.raises(json.JSONDecodeError) as raised:
        json.loads(text)
    assert (error.line, error.column) == (raised.value.lineno, raised.value.colno)
    assert (error.line, error.column) == (line, column)
    assert error.code == "ACP203" and "not valid JSON" in error.message


def test_not_an_object() -> None:
    [error] = load_bindings(b'\n  ["/api"]', PATH).errors
    assert (error.line, error.column) == (2, 3)
    assert "JSON object" in error.message


def test_missing_keys_reported_at_object_start() -> None:
    errors = load_bindings(b'\n\n  {"kernel_id": "k"}', PATH).errors
    assert [(e.line, e.column) for e in errors] == [(3, 3), (3, 3)]
    assert ["base_path" in errors[0].message, "endpoint_path" in errors[1].message] == [True, True]


def test_wrong_types_at_the_value() -> None:
    text = '{"kernel_id": 5,\n "base_path": null,\n "endpoint_path": ["/api/manage"]}'
    errors = load_bindings(text, PATH).errors
    assert [(e.line, e.column, e.message) for e in errors] == [
        (1, 15, "kernel_id must be a string, not int"),
        (2, 15, "base_path must be a string, not null"),
        (3, 19, "endpoint_path must be a string, not list"),
    ]
    assert errors[2].end_column == 34


def test_empty_kernel_id() -> None:
    [error] = load_bindings(
        '{"kernel_id": " ", "base_path": "/a", "endpoint_path": "/a/manage"}', PATH
    ).errors
    assert "kernel_id" in error.message and error.column == 15


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "empty"),
        ("api", "start with '/'"),
        ("/", "at least one segment"),
        ("/api/", "must not end with '/'"),
        ("/api//acp", "empty segment"),
        ("/api/../x", "'..'"),
        ("/api/./x", "'.'"),
        ("/api/<int:x>", "converter syntax"),
        ("^/api", "start with '/'"),
        ("/api$", "regex or converter syntax"),
        ("/api/(?P<x>.*)", "regex or converter syntax"),
        ("/API", "lowercase"),
        ("/api acp", "not normalised"),
        ("/api/-x", "not normalised"),
        ("/api/é", "not normalised"),
    ],
)
def test_path_grammar_violations(value: str, fragment: str) -> None:
    message = validate_base_path(value)
    assert message is not None and fragment in message
    text = json.dumps({"kernel_id": "k", "base_path": value, "endpoint_path": "/api/manage"})
    [error] = load_bindings(text, PATH).errors
    assert error.code == "ACP203" and fragment in error.message
    assert error.column == text.index('"base_path"') + len('"base_path": ') + 1


@pytest.mark.parametrize("value", ["/api", "/api/acp", "/a0/v1.2/x_y-z", "/0"])
def test_valid_base_paths(value: str) -> None:
    assert validate_base_path(value) is None


def test_endpoint_must_be_base_plus_manage() -> None:
    text = '{\n "kernel_id": "k",\n "base_path": "/api/acp",\n "endpoint_path": "/api/manage"\n}'
    result = load_bindings(text, PATH)
    [error] = result.errors
    assert error.code == "ACP202"
    assert (error.line, error.column) == (4, 19)
    assert "/api/acp/manage" in error.message
    assert result.bindings is not None


def test_invalid_endpoint_path_is_acp203_not_acp202() -> None:
    text = '{"kernel_id": "k", "base_path": "/api", "endpoint_path": "/api/manage/"}'
    [error] = load_bindings(text, PATH).errors
    assert error.code == "ACP203"


def test_duplicate_key_position_is_the_last_value() -> None:
    text = (
        '{"kernel_id": "k", "base_path": "/x", "base_path": "/API", "endpoint_path": "/x/manage"}'
    )
    duplicate, error = load_bindings(text, PATH).errors
    assert error.column == text.index('"/API"') + 1
    # Readers disagree on which of two values wins: the repeated key is an ACP203 of its own.
    assert duplicate.code == "ACP203"
    assert duplicate.column == text.index('"base_path"', text.index('"base_path"') + 1) + 1
    assert "duplicate key 'base_path'" in duplicate.message
