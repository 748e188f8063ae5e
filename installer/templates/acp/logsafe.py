"""Values from clients (or from the hub) made safe to put in a log line.

A client chooses the action name, the HTTP method and parts of an error's detail; logged raw,
a newline in any of them would start a forged log line. ``clean`` turns a value into one line
of printable ASCII (``ascii()`` escaping: control characters, line separators, backslashes and
non-ASCII are escaped) and cuts it to a fixed length.
"""

from __future__ import annotations

MAX_LOGGED_CHARS = 200


def clean(value: object, limit: int = MAX_LOGGED_CHARS) -> str:
    """``value`` as one escaped line of printable ASCII, at most about ``limit`` characters."""
    if value is None:
        return "-"
    text = value if isinstance(value, str) else str(value)
    escaped = ascii(text[:limit])[1:-1]
    return escaped + "...[cut]" if len(text) > limit else escaped
