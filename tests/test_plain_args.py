"""``acp_lint.plain_args``: a plain check's arguments read without argparse give exactly the
namespace argparse gives, and anything else is left to argparse (the oracle, the real
parser, on every argument list)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pytest
from clitools import run_cli_in_process
from hypothesis import given, settings
from hypothesis import strategies as st

from acp_lint.cli import _build_parser
from acp_lint.errors import UsageError
from acp_lint.plain_args import CHECK_DEFAULTS, CHOICES, SWITCHES, plain_check


def _argparse(argv: Sequence[str]) -> dict[str, object] | None:
    """What the real parser makes of ``argv``: its namespace, or None for a usage error."""
    try:
        return vars(_build_parser().parse_args(list(argv)))
    except (UsageError, SystemExit):
        return None


def test_the_defaults_are_the_parsers() -> None:
    assert _argparse(["check"]) == CHECK_DEFAULTS


def test_every_switch_and_choice_is_one_the_parser_has() -> None:
    check = _build_parser()._subparsers._group_actions[0].choices["check"]  # type: ignore[union-attr]
    options = {
        option: action.dest
        for action in check._actions
        for option in action.option_strings
        if isinstance(action, (argparse._StoreTrueAction, argparse._StoreConstAction))
    }
    assert {flag: dest for flag, (dest, _) in SWITCHES.items()} == options
    for flag, (dest, words) in CHOICES.items():
        action = next(a for a in check._actions if flag in a.option_strings)
        assert action.dest == dest and tuple(action.choices) == words


# Every word a command line may hold here: paths, switches, values, and what must go to
# argparse (another option, an abbreviation, a bad value, ``-``, ``--``, help, combined flags).
WORDS = [
    *SWITCHES,
    *CHOICES,
    *(f"{flag}={word}" for flag, (_, words) in CHOICES.items() for word in words),
    "full",
    "json",
    "always",
    "bogus",
    "--output-format=bogus",
    "--output-format=",
    "--select",
    "ACP101",
    "--select=ACP1",
    "--config",
    "--no-c",
    "--fi",
    "-qv",
    "-o",
    "-",
    "--",
    "-h",
    "--help",
    "--version",
    ".",
    "acp/views.py",
    "./--fix",
    "",
    "check",
    "rule",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_a_plain_check_is_read_as_argparse_reads_it(words: list[str]) -> None:
    argv = ["check", *words]
    fast = plain_check(argv)
    expected = _argparse(argv)
    if fast is not None:
        assert vars(fast) == expected  # taken here only when argparse agrees, never an error


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "."],
        ["check", "--no-project-rules", "--output-format", "full", "acp/views.py", "shop/x.py"],
        ["check", "--project-rules-only", "--output-format", "full"],
        ["check", "--no-cache", "--output-format=json", "."],
        ["check", "--fix", "--unsafe-fixes", "-q", "."],
    ],
)
def test_the_usual_command_lines_are_plain(argv: list[str]) -> None:
    """The pre-commit hooks' entries (.pre-commit-hooks.yaml), CI's and an editor's: read
    without argparse."""
    fast = plain_check(argv)
    assert fast is not None and vars(fast) == _argparse(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "a", "--fix", "b"],  # argparse: "unrecognized arguments: b"
        ["check", "-q", "-v"],  # not allowed together
        ["check", "--no-project-rules", "--project-rules-only"],
        ["check", "--output-format", "xml"],
        ["check", "--output-format"],
        ["check", "--no-c"],  # an abbreviation argparse expands
        ["check", "--", "-x"],
        ["check", "-"],
        ["rule", "ACP101"],
    ],
)
def test_everything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert plain_check(argv) is None


def test_a_plain_check_does_not_load_argparse(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "views.py").write_text("x = 1\n")
    code, _, modules = run_cli_in_process(
        ["check", "--no-project-rules", "--output-format", "full", "views.py"], tmp_path
    )
    assert code == 0
    assert not {"argparse", "gettext", "locale"} & modules
    code, _, modules = run_cli_in_process(["check", "--no-c", "views.py"], tmp_path)
    assert code == 0 and "argparse" in modules  # the abbreviation went to argparse
