"""Running the deploy files' commands as the service manager or container would: in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.helpers import ROOT, pantau_env

DEPLOY = ROOT / "deploy"
# The directory holding the installed `pantau` console script (the venv's bin/).
BIN = Path(sys.executable).parent
Completed = subprocess.CompletedProcess[str]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment minus PANTAU_*, with `pantau` on PATH and XDG dirs under `home`, plus extras."""
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"
    return pantau_env(home=home, PATH=path, **extra)


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> Completed:
    """Run a command line to completion, capturing its output as text."""
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
