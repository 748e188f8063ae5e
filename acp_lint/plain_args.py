"""The arguments of a plain check, read without argparse.

Importing argparse (with gettext, which imports ``locale``) and building the parser take
4-6 ms of every run: as much as the check of a handler file, the pre-commit hook's usual run.
The arguments of most runs are simpler than that: ``check``, paths, switches and a known
``--output-format``. ``plain_check`` reads exactly those and gives the namespace argparse would;
anything else (another command, help, a value it does not know, an abbreviation, two
conflicting switches, paths on both sides of a switch, ``-`` or ``--``) is left to argparse,
which gives the same answer or the same error as always. ``tests/test_plain_args.py`` holds
the two equal, argument list by argument list.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

OUTPUT_FORMATS = ("full", "concise", "json", "sarif", "github")
COLORS = ("auto", "always", "never")

# ``acp-lint check`` with no arguments, as argparse parses it (held equal by the tests).
CHECK_DEFAULTS: dict[str, object] = {
    "command": "check",
    "paths": [],
    "fix": False,
    "unsafe_fixes": False,
    "diff": False,
    "select": None,
    "ignore": None,
    "extend_select": None,
    "output_format": None,
    "statistics": False,
    "config": None,
    "no_cache": False,
    "quiet": False,
    "verbose": False,
    "output_file": None,
    "color": "auto",
    "exit_zero": False,
    "exit_non_zero_on_fix": False,
    "show_fixes": False,
    "add_noqa": False,
    "show_files": False,
    "show_settings": False,
    "force_exclude": False,
    "stdin_filename": None,
    "part": "all",
}
# Each switch: (its destination, the value it stores).
SWITCHES: dict[str, tuple[str, object]] = {
    "--fix": ("fix", True),
    "--unsafe-fixes": ("unsafe_fixes", True),
    "--diff": ("diff", True),
    "--statistics": ("statistics", True),
    "--no-cache": ("no_cache", True),
    "-q": ("quiet", True),
    "--quiet": ("quiet", True),
    "-v": ("verbose", True),
    "--verbose": ("verbose", True),
    "--exit-zero": ("exit_zero", True),
    "--exit-non-zero-on-fix": ("exit_non_zero_on_fix", True),
    "--show-fixes": ("show_fixes", True),
    "--add-noqa": ("add_noqa", True),
    "--show-files": ("show_files", True),
    "--show-settings": ("show_settings", True),
    "--force-exclude": ("force_exclude", True),
    "--no-project-rules": ("part", "files"),
    "--project-rules-only": ("part", "project"),
}
# Options whose value is one of a few words: (destination, the words).
CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "--output-format": ("output_format", OUTPUT_FORMATS),
    "--color": ("color", COLORS),
}
# argparse's mutually exclusive groups, by the switches' (destination, value).
EXCLUSIVE = (
    {("quiet", True), ("verbose", True)},
    {("exit_zero", True), ("exit_non_zero_on_fix", True)},
    {("part", "files"), ("part", "project")},
)


def plain_check(argv: Sequence[str]) -> SimpleNamespace | None:
    """The namespace of ``argv`` (``check`` first, as ``cli`` passes it) when it is a plain
    check, else None: then argparse reads it."""
    if not argv or argv[0] != "check":
        return None
    values = dict(CHECK_DEFAULTS)
    paths: list[str] = []
    seen: set[tuple[str, object]] = set()
    block = 0  # 0: no path yet, 1: in the paths, 2: a switch came after them
    index = 1
    while index < len(argv):
        argument = argv[index]
        index += 1
        if not argument.startswith("-"):
            if block == 2:
                return None  # argparse takes one run of paths; a second is an error there
            block = 1
            paths.append(argument)
            continue
        if block == 1:
            block = 2
        switch = SWITCHES.get(argument)
        if switch is not None:
            seen.add(switch)
            values[switch[0]] = switch[1]
            continue
        option, equals, value = argument.partition("=")
        if option not in CHOICES:
            return None  # another option, an abbreviation, ``-``, ``--``, help
        if not equals:
            if index >= len(argv):
                return None
            value = argv[index]
            index += 1
        destination, words = CHOICES[option]
        if value not in words:
            return None  # also a value that looks like an option: argparse refuses both
        values[destination] = value
    if any(len(seen & group) > 1 for group in EXCLUSIVE):
        return None
    values["paths"] = paths
    return SimpleNamespace(**values)
