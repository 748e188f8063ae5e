"""The two ways the installer stops on purpose, each with the exit code of the contract."""

from __future__ import annotations

USAGE = 2
REFUSED = 1


class InstallerError(Exception):
    """A one-line, user-facing reason to stop; ``exit_code`` follows DESIGN §5."""

    exit_code = REFUSED

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(InstallerError):
    """Bad flags, no Django project, no terminal for a production confirmation (exit 2)."""

    exit_code = USAGE


class Refused(InstallerError):
    """The installer will not touch the project as asked (exit 1); nothing was written."""

    exit_code = REFUSED
