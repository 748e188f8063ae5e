"""Static first, Django second: ask the project's own Django whether the endpoint path is served.

Only ``acp-lint routes --verify`` and the installer's gate call this, and only when the static
route table is inconclusive (a relevant ACP204). Plain ``acp-lint`` never imports the project.
The project runs in a subprocess of its own interpreter, with a minimal environment, a time
limit and outgoing network connections refused; it is asked for ``django.setup()`` and
``django.urls.resolve`` of the endpoint path with and without its trailing slash (the resolver
does not look at the method, so this is what a POST to either path would be dispatched to).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from acp_lint.records import record

TIMEOUT = 30.0
TIMEOUT_VARIABLE = "ACP_LINT_VERIFY_TIMEOUT"
ENV_VARIABLE = "ACP_LINT_VERIFY_ENV"


def default_timeout() -> float:
    """``ACP_LINT_VERIFY_TIMEOUT`` (seconds) when it is a positive number, else 30 s: a large
    project whose modules have no bytecode cache (netbox) needs longer on a loaded machine."""
    try:
        value = float(os.environ.get(TIMEOUT_VARIABLE, ""))
    except ValueError:
        return TIMEOUT
    return value if 0 < value <= 3600 else TIMEOUT


MARKER = "ACP-VERIFY-RESULT "

# Runs in the project's interpreter: argv = [source_dir, settings_module, path, ...].
_PROBE = r"""
import json, socket, sys
def _refuse(*args, **kwargs):
    raise OSError("acp-lint --verify: network access is disabled")
_connect = socket.socket.connect
def _guarded(self, address):
    if self.family in (socket.AF_INET, getattr(socket, "AF_INET6", -1)):
        _refuse()
    return _connect(self, address)
socket.socket.connect = _guarded
socket.socket.connect_ex = lambda self, address: _guarded(self, address)
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
def emit(data):
    sys.stdout.write("\nACP-VERIFY-RESULT " + json.dumps(data) + "\n")
    sys.stdout.flush()
source_dir, settings, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, source_dir)
import os
os.environ["DJANGO_SETTINGS_MODULE"] = settings
try:
    import django
except Exception as error:
    emit({"status": "unavailable", "error": type(error).__name__ + ": " + str(error)})
    raise SystemExit(0)
try:
    if os.environ.get("DJANGO_CONFIGURATION"):
        import configurations  # django-configurations: its importer must be installed first
        configurations.setup()
    else:
        django.setup()
    from django.conf import settings as conf
    from django.urls import Resolver404, resolve
    urlconf = conf.ROOT_URLCONF
except BaseException as error:
    emit({"status": "error", "error": type(error).__name__ + ": " + str(error)[:500]})
    raise SystemExit(0)
found = []
for path in paths:
    try:
        match = resolve(path)
    except Resolver404:
        continue
    except BaseException as error:
        reason = "resolving %s: %s: %s" % (path, type(error).__name__, str(error)[:500])
        emit({"status": "error", "error": reason})
        raise SystemExit(0)
    func = match.func
    view = getattr(match, "_func_path", None) or (
        getattr(func, "__module__", "?") + "." + getattr(func, "__qualname__", repr(func))
    )
    cls = getattr(func, "view_class", None) or getattr(func, "cls", None)
    module = getattr(cls, "__module__", None) or getattr(func, "__module__", "") or ""
    found.append({"path": path, "view": view, "module": module, "route": match.route or ""})
emit({"matches": found, "urlconf": str(urlconf), "django": django.get_version()})
"""


@record(frozen=True)
class Match:
    path: str
    view: str
    module: str
    route: str


@record(frozen=True)
class VerifyResult:
    """``status``: free, served, unavailable (no Django there) or error (setup failed, timeout).

    ``served`` counts host views only; a match served by the ACP app itself is in ``acp``.
    """

    status: str
    settings: str
    python: str
    endpoint_path: str
    matches: tuple[Match, ...] = ()
    acp: tuple[Match, ...] = ()
    error: str = ""
    free_base_paths: tuple[str, ...] = ()
    configuration: str = ""  # django-configurations class (DJANGO_CONFIGURATION), if any

    @property
    def conclusive(self) -> bool:
        return self.status in ("free", "served")

    def summary(self) -> str:
        """One line for the user, saying what was verified and how, or how to verify."""
        path = self.endpoint_path
        settings = self.settings
        if self.configuration:
            settings += f" (configuration {self.configuration})"
        if self.status == "free":
            extra = " (it resolves only to the ACP app)" if self.acp else ""
            return (
                f"verified with Django: POST {path} and {path}/ are free under settings "
                f"{settings}{extra}"
            )
        if self.status == "served":
            views = ", ".join(f"{m.path} -> {m.view}" for m in self.matches)
            return f"verified with Django under settings {settings}: {views}"
        how = (
            "pass --python PATH to the project's interpreter (the one with its dependencies) "
            "to verify with Django"
        )
        if self.status == "unavailable":
            return f"could not verify: Django is not importable by {self.python} ({how})"
        message = f"could not verify with {self.python} under settings {settings}: {self.error}"
        if "ModuleNotFoundError" in self.error or "ImportError" in self.error:
            message += f" ({how})"
        elif self.status == "error" and "did not answer" not in self.error:
            message += (
                f" (the project runs with a minimal environment: name the variables its "
                f"settings need in {ENV_VARIABLE}, e.g. {ENV_VARIABLE}=DATABASE_URL,SECRET_KEY)"
            )
        return message


def configuration_name(source_dir: Path) -> str:
    """django-configurations: ``DJANGO_CONFIGURATION`` from the environment, else the class
    ``manage.py`` sets by default; "" for a plain settings module."""
    if os.environ.get("DJANGO_CONFIGURATION"):
        return os.environ["DJANGO_CONFIGURATION"]
    from acp_lint.sources import read_in_repository

    # a FIFO or ``-> /dev/zero`` in its place must not hang or fill memory
    data = read_in_repository(source_dir / "manage.py", source_dir, 1_000_000)
    if data is None:
        return ""
    found = re.search(rb"DJANGO_CONFIGURATION['\"]\s*(?:,|\]\s*=)\s*['\"](\w+)['\"]", data)
    return found.group(1).decode() if found else ""


def _minimal_env(settings: str, configuration: str = "") -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": settings,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONIOENCODING": "utf-8",
        "NO_PROXY": "*",
        "LANG": "C.UTF-8",
    }
    for key in ("PATH", "HOME", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP"):
        if key in os.environ:
            env[key] = os.environ[key]
    for name in re.split(r"[\s,]+", os.environ.get(ENV_VARIABLE, "")):
        if name and name in os.environ and name != "DJANGO_SETTINGS_MODULE":
            env[name] = os.environ[name]  # the user chose to pass these to their settings
    if configuration:
        env["DJANGO_CONFIGURATION"] = configuration
    return env


def _in_app(module: str, app: str) -> bool:
    return module == app or module.startswith(app + ".")


def verify_endpoint(
    source_dir: Path,
    settings: str,
    endpoint_path: str,
    python: str,
    acp_app: str = "acp",
    timeout: float | None = None,
    candidates: tuple[str, ...] = (),
) -> VerifyResult:
    """Resolve ``endpoint_path`` (with and without ``/``) with the project's Django; each
    candidate base path is probed the same way (its ``/manage``) for ``free_base_paths``."""
    path = "/" + endpoint_path.strip("/")
    timeout = default_timeout() if timeout is None else timeout
    configuration = configuration_name(source_dir)
    base = VerifyResult("error", settings, python, path, configuration=configuration)
    probes = [path, path + "/"]
    for candidate in candidates:
        manage = "/" + candidate.strip("/") + "/manage"
        probes.extend([manage, manage + "/"])
    try:
        completed = subprocess.run(
            [python, "-I", "-B", "-c", _PROBE, str(source_dir), settings, *probes],
            cwd=source_dir,
            env=_minimal_env(settings, configuration),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return _with(
            base,
            error=f"Django did not answer within {timeout:g} s "
            f"(set {TIMEOUT_VARIABLE}=SECONDS to wait longer)",
        )
    except OSError as error:
        return _with(base, status="unavailable", error=f"cannot run {python}: {error.strerror}")
    line = next(
        (ln for ln in reversed(completed.stdout.splitlines()) if ln.startswith(MARKER)), None
    )
    if line is None:
        tail = (completed.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return _with(base, error=f"the probe exited {completed.returncode}: {tail}")
    try:
        data = json.loads(line[len(MARKER) :])
    except ValueError:
        return _with(base, error="the probe's answer is not JSON")
    status = str(data.get("status", "ok"))
    if status in ("unavailable", "error"):
        return _with(base, status=status, error=str(data.get("error", "")))
    matches = [
        Match(str(m["path"]), str(m["view"]), str(m.get("module", "")), str(m.get("route", "")))
        for m in data.get("matches", [])
    ]
    served = {m.path for m in matches if not _in_app(m.module, acp_app)}
    mine = [m for m in matches if m.path in (path, path + "/")]
    host = tuple(m for m in mine if not _in_app(m.module, acp_app))
    acp = tuple(m for m in mine if _in_app(m.module, acp_app))
    free = tuple(
        c
        for c in candidates
        if not {"/" + c.strip("/") + "/manage", "/" + c.strip("/") + "/manage/"} & served
    )
    status = "served" if host else "free"
    return VerifyResult(status, settings, python, path, host, acp, "", free, configuration)


def _with(result: VerifyResult, **changes: str) -> VerifyResult:
    from acp_lint.records import replace

    return replace(result, **changes)
