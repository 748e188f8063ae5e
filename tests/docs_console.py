"""Run the ``console`` blocks of a guide: its commands, their exit codes and shown output.

A block is a sequence of commands (``$ cmd``), each optionally followed by output lines that must
appear in what the command prints. ``# exit N`` at the end of a command line is the exit code it
must have (0 otherwise). A command ending in ``<<'EOF'`` takes the following lines up to ``EOF``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

_EXIT = re.compile(r"\s+# exit (\d+)$")


@dataclass
class Step:
    command: str
    exit_code: int = 0
    expected: list[str] = field(default_factory=list)


def console_steps(markdown: str) -> list[Step]:
    steps: list[Step] = []
    for block in re.findall(r"^```console\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL):
        lines = iter(block.splitlines())
        for line in lines:
            if not line.startswith("$ "):
                if steps and line.strip():
                    steps[-1].expected.append(line.strip())
                continue
            command = line[2:]
            exit_code = 0
            found = _EXIT.search(command)
            if found:
                exit_code = int(found[1])
                command = command[: found.start()]
            if command.endswith("<<'EOF'"):
                body = []
                for continued in lines:
                    body.append(continued)
                    if continued == "EOF":
                        break
                command = "\n".join([command, *body])
            steps.append(Step(command, exit_code))
    return steps


def guide_environment() -> dict[str, str]:
    """The user's shell: this environment's tools first on PATH, no ACP or Django variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ACP_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    return env


def run_step(step: Step, cwd: Path, env: dict[str, str]) -> str:
    """Run one command; fail with its output when the exit code or shown output differs."""
    completed = subprocess.run(
        ["bash", "-c", step.command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == step.exit_code, (step.command, output)
    for line in step.expected:
        assert line in output, (step.command, line, output)
    return output
