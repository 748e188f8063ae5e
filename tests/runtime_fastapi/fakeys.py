"""The API keys the FastAPI runtime tests use, created with ``python -m acp.create_key``."""

from __future__ import annotations

from dataclasses import dataclass

from fahost import FastApiHost


@dataclass(frozen=True)
class FaKeys:
    rw: str  # manage.read + manage.write
    ro: str  # manage.read
    wo: str  # manage.write

    @classmethod
    def create(cls, host: FastApiHost) -> FaKeys:
        return cls(
            rw=host.create_key("rw", "manage.read,manage.write"),
            ro=host.create_key("ro", "manage.read"),
            wo=host.create_key("wo", "manage.write"),
        )
