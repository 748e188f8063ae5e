"""``manage.py acp_create_key --name NAME --scopes manage.read,manage.write``.

Creates an API key and prints it alone on the last line of the output: this is the only
time it is shown, since only its hash is stored.
"""

from __future__ import annotations

import re
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...auth import create_key

_SCOPE_RE = re.compile(r"^[A-Za-z0-9_.:-]+$")


def parse_scopes(raw: str) -> list[str]:
    """Split and validate a comma-separated scope list."""
    scopes = [s.strip() for s in raw.split(",") if s.strip()]
    if not scopes:
        raise CommandError("--scopes needs at least one scope, e.g. manage.read")
    bad = [s for s in scopes if not _SCOPE_RE.match(s)]
    if bad:
        raise CommandError(f"invalid scope names: {', '.join(bad)}")
    return list(dict.fromkeys(scopes))


class Command(BaseCommand):
    help = "Create an ACP API key and print it once (only its hash is stored)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", required=True, help="who or what the key is for")
        parser.add_argument(
            "--scopes",
            default="manage.read",
            help="comma-separated scopes (default: manage.read), e.g. manage.read,manage.write",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be empty")
        scopes = parse_scopes(options["scopes"])
        row, key = create_key(name, scopes)
        self.stdout.write(
            f"Created ACP API key id={row.pk} name={row.name!r} prefix={row.prefix} "
            f"scopes={','.join(scopes)}. Store it now; it will not be shown again:"
        )
        self.stdout.write(key)
