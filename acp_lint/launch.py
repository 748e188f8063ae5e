"""The ``acp-lint`` console script: replay an unchanged run, or start listing the tree, then
load the CLI.

Before either, a check of directories at the top of a git work tree asks ``acp_lint.replay``
whether the last identical run depended on anything that changed since; if nothing did, its
report is printed again and nothing else is loaded. Otherwise this run is recorded for the
next one (``acp_lint.replay_store``, after the report).

Importing the CLI (argparse, pathlib, typing) and the engine takes tens of milliseconds; ``git
ls-files`` on a large tree takes as long. A check of directories in a git work tree lists it,
so the listing starts here, first, from the arguments as written, and runs while Python loads.
The CLI collects it when the project's root turns out to be the current directory; otherwise
it stops it unused. Anything that is not certainly such a run (another command, a file, a
flag this module does not know) starts nothing early.

Like ``acp_lint.replay``, this module loads nothing a replay does not need (no ``__future__``,
no ``collections.abc``).
"""

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# The options of ``acp-lint check`` that take a value (``tests/test_launch.py`` holds this
# equal to the parser's): their values are not paths.
VALUE_FLAGS = frozenset(
    {
        "-o",
        "--color",
        "--config",
        "--extend-select",
        "--ignore",
        "--output-file",
        "--output-format",
        "--select",
        "--stdin-filename",
    }
)
# Not a check of the tree: another command, help, a version, or stdin.
NOT_A_TREE_CHECK = frozenset(
    {"rule", "routes", "server", "-h", "--help", "--version", "--stdin-filename", "-"}
)


def lists_the_tree_here(arguments: "Sequence[str]", cwd: str) -> bool:
    """The arguments certainly ask for a check of directories, and ``cwd`` is the top of a
    git work tree (where the listing would be taken)."""
    paths: list[str] = []
    expect_value = False
    for index, argument in enumerate(arguments):
        if expect_value:
            expect_value = False
            continue
        if argument in NOT_A_TREE_CHECK:
            return False
        if argument.startswith("--") and "=" in argument:
            if argument.split("=", 1)[0] not in VALUE_FLAGS:
                return False  # an option unknown here: do not guess
            continue
        if argument in VALUE_FLAGS:
            expect_value = True
        elif argument.startswith("-"):
            continue  # a switch
        elif not (index == 0 and argument == "check"):
            paths.append(argument)
    if expect_value:
        return False
    if not all(os.path.isdir(os.path.join(cwd, path)) for path in paths):
        return False
    return os.path.exists(os.path.join(cwd, ".git"))


def _list_early(cwd: str, arguments: "Sequence[str]") -> None:
    """Start ``git ls-files`` (``acp_lint.listing`` loads only now: a replay never needs it)."""
    from acp_lint.listing import grep_early, prefetch

    prefetch(cwd, needles=grep_early(cwd, "--no-cache" in arguments))


def _leave(code: int) -> None:
    """End the console script's process now, when the interpreter's teardown has nothing to
    do that anyone would see: no ``atexit`` callback (a temporary directory's finalizer, a
    pool's join), no thread but this one. Its work, freeing every object and module, is
    ~2.5 ms of a replay and 4-7 ms of a run on Django's tree. Every file acp-lint writes is
    closed where it is written; the two streams are flushed here."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed pipe or stream: the interpreter's own exit reports it, as before
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    atexit = sys.modules.get("atexit")
    count = getattr(atexit, "_ncallbacks", None)  # CPython's; elsewhere, exit as usual
    if atexit is not None and (count is None or count() > 0):
        return
    os._exit(code)


def main(argv: "Sequence[str] | None" = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        cwd = os.getcwd()
    except FileNotFoundError:
        cwd = ""  # the CLI says so
    recording = None
    if cwd and lists_the_tree_here(arguments, cwd):
        from acp_lint import replay

        if replay.replayable(arguments):
            code = replay.replay(arguments, cwd, on_miss=lambda: _list_early(cwd, arguments))
            if code is not None:  # nothing the last identical run depended on has changed
                if argv is None:
                    _leave(code)
                return code
            recording = replay.start(arguments, cwd)
        _list_early(cwd, arguments)  # (a miss started it already)
    from acp_lint.cli import main as cli_main

    try:
        code = cli_main(arguments)
    finally:
        if recording is not None:
            recording.finish()
    if recording is not None and recording.config is not None and code in (0, 1):
        from acp_lint.replay_store import store

        try:
            store(recording, code)
        except Exception:  # noqa: BLE001 - the report is out; a replay is only a shortcut
            pass
    if argv is None:
        _leave(code)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
