"""deploy/pantau.service: systemd accepts it as written, it is hardened, and its environment works.

No systemd runs here (PID 1 is not systemd), but `systemd-analyze verify --root=DIR` loads and checks
a unit offline. The unit is copied byte for byte into a temporary root, with the executable its
ExecStart names (a copy of the real installed `pantau` script) and systemd's own units beside it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.deploy import BIN, DEPLOY, clean_env, run

UNIT = DEPLOY / "pantau.service"
SYSTEM_UNITS = Path("/usr/lib/systemd/system")


def unit_settings(text: str) -> dict[str, list[str]]:
    """`Key` -> every value it is given in the unit (keys such as Environment= repeat)."""
    settings: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key, []).append(value)
    return settings


SETTINGS = unit_settings(UNIT.read_text())


def environment() -> dict[str, str]:
    pairs = (item.split("=", 1) for value in SETTINGS["Environment"] for item in value.split())
    return dict(pairs)


@pytest.fixture(scope="module")
def offline_root(tmp_path_factory) -> Path:
    """A root with systemd's units, our unit as /etc/systemd/system/pantau.service, and ExecStart's binary."""
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(SYSTEM_UNITS, root / SYSTEM_UNITS.relative_to("/"), symlinks=True)
    executable = Path(SETTINGS["ExecStart"][0].split()[0])
    (root / executable.relative_to("/")).parent.mkdir(parents=True)
    shutil.copy2(BIN / "pantau", root / executable.relative_to("/"))
    (root / "etc/systemd/system").mkdir(parents=True)
    return root


def analyze(root: Path, unit_text: str, *command: str) -> subprocess.CompletedProcess[str]:
    (root / "etc/systemd/system/pantau.service").write_text(unit_text)
    return subprocess.run(
        ["systemd-analyze", *command, f"--root={root}", "/etc/systemd/system/pantau.service"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_systemd_verify_accepts_the_unit_as_written(offline_root):
    result = analyze(offline_root, UNIT.read_text(), "verify")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert [line for line in output.splitlines() if "pantau.service" in line] == []


def test_systemd_verify_would_catch_a_mistake(offline_root):
    # verify exits 0 on an unknown key or a bad value, and only says so: hence the check on its output.
    broken = UNIT.read_text().replace("KillMode=mixed", "KillMode=mixd\nProtectSytem=strict")
    result = analyze(offline_root, broken, "verify")
    output = result.stdout + result.stderr
    assert "Failed to parse kill mode specification" in output
    assert "Unknown key 'ProtectSytem'" in output


def test_systemd_verify_fails_without_the_executable(tmp_path):
    shutil.copytree(SYSTEM_UNITS, tmp_path / SYSTEM_UNITS.relative_to("/"), symlinks=True)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    result = analyze(tmp_path, UNIT.read_text(), "verify")
    assert result.returncode != 0
    assert "/opt/pantau/bin/pantau is not executable" in result.stderr


def test_exposure_score_is_low(offline_root):
    # systemd-analyze rates a unit's exposure from 0 (locked down) to 10; a bare service scores 9.6.
    result = analyze(offline_root, UNIT.read_text(), "security", "--offline=true", "--threshold=20")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Overall exposure level for pantau.service: 1." in result.stdout


def test_runs_the_daemon_as_its_own_user_with_restarts_and_a_graceful_stop():
    assert SETTINGS["ExecStart"] == ["/opt/pantau/bin/pantau run"]
    assert SETTINGS["User"] == ["pantau"]
    assert SETTINGS["Restart"] == ["on-failure"]
    assert SETTINGS["StartLimitBurst"] == ["5"]
    assert SETTINGS["KillMode"] == ["mixed"]
    assert int(SETTINGS["TimeoutStopSec"][0].removesuffix("s")) >= 60
    assert SETTINGS["EnvironmentFile"] == ["/etc/pantau/pantau.env"]
    assert SETTINGS["CapabilityBoundingSet"] == [""]
    assert SETTINGS["UMask"] == ["0077"]


def test_data_dir_is_the_state_directory():
    env = environment()
    assert env["PANTAU_CONFIG"] == "/etc/pantau/pantau.toml"
    assert env["PANTAU_DATA_DIR"] == f"/var/lib/{SETTINGS['StateDirectory'][0]}"
    assert env["XDG_RUNTIME_DIR"] == f"/run/{SETTINGS['RuntimeDirectory'][0]}"
    # /var/lib/pantau/pgdata/.s.PGSQL.5432 must fit a Unix socket path (107 bytes) for the embedded server.
    assert len(env["PANTAU_DATA_DIR"] + "/pgdata/.s.PGSQL.5432") < 107


def test_the_service_environment_configures_pantau(tmp_path):
    # What the service sees: the unit's Environment= lines, the env file, the example config.
    env = environment()
    env["PANTAU_CONFIG"] = str(DEPLOY / "pantau.example.toml")
    env["PANTAU_DATA_DIR"] = str(tmp_path / "state")
    for line in (DEPLOY / "pantau.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    result = run(["pantau", "config", "show", "--json"], clean_env(tmp_path, **env), tmp_path)
    assert result.returncode == 0, result.stderr
    assert f'"data_dir": "{tmp_path / "state"}"' in result.stdout
    assert '"database_url": null' in result.stdout  # the example env file sets no secret


MDWE_PROBE = """
import ctypes, sys
PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
if sys.argv[1] == "on" and ctypes.CDLL(None).prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    sys.exit("this kernel has no PR_SET_MDWE (Linux >= 6.3 needed)")
from OpenSSL import SSL
SSL.Context(SSL.TLS_CLIENT_METHOD).set_verify(SSL.VERIFY_PEER, lambda *args: True)
print("TLS callback ok")
"""


def test_memory_deny_write_execute_would_break_scrapy_tls():
    # MemoryDenyWriteExecute= is left out of the unit because of this (PR_SET_MDWE is the same rule).
    assert "MemoryDenyWriteExecute" not in SETTINGS
    plain = subprocess.run([sys.executable, "-c", MDWE_PROBE, "off"], capture_output=True, text=True)
    assert plain.stdout == "TLS callback ok\n", plain.stderr
    denied = subprocess.run([sys.executable, "-c", MDWE_PROBE, "on"], capture_output=True, text=True)
    assert denied.returncode != 0
    assert "Cannot allocate write+execute memory for ffi.callback()" in denied.stderr
