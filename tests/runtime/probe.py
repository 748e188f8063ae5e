"""The start of an import probe (a script run in the host's own Python): it records every
environment variable read and the audit events named, so that the rest of the script can
import the app and print what importing it did. Shared by the Django and the FastAPI app's
import tests."""

from __future__ import annotations

SPY = r"""
import json, os, sys, threading

env_reads = []


class SpyEnviron(type(os.environ)):
    def __getitem__(self, key):
        env_reads.append(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        env_reads.append(key)
        return super().__contains__(key)


real = os.environ
os.environ = SpyEnviron(
    real._data, real.encodekey, real.decodekey, real.encodevalue, real.decodevalue
)
network = []
sys.addaudithook(
    lambda event, args: network.append([event, repr(args)[:200]])
    if event in EVENTS
    else None
)
"""


def spy(events: tuple[str, ...]) -> str:
    """The probe's first lines, watching the audit ``events`` (``network`` records them)."""
    return SPY.replace("EVENTS", repr(events))
