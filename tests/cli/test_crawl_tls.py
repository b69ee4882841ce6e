"""A crawl through a TLS-inspecting proxy: the replay world over HTTPS with a CA no trust store knows.

Without SSL_CERT_FILE every site fails on its certificate: one line per site naming the host and
what to do, the run recorded `failed` with reason `tls`, shown as a failure by `pantau status`.
With SSL_CERT_FILE naming the CA, the same crawl finishes (OpenSSL reads the variable itself).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.support.helpers import run_pantau
from tests.support.replay import default_world, serve
from tests.support.replay.crawl import pantau_crawl
from tests.support.tls import make_certificates, tls_server_class

pytestmark = pytest.mark.slow  # crawl subprocesses

SITES = ("detik", "kompas")


def crawl(tmp_path: Path, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`pantau crawl detik kompas` over the HTTPS replay, whose CA is in tmp_path/ca.pem."""
    certificates = make_certificates(tmp_path)
    with serve(default_world(), tls_server_class(certificates)) as server:
        return pantau_crawl(server, tmp_path, database_url, *SITES, **env)


def test_an_untrusted_certificate_is_one_line_per_site_and_a_tls_failure(database_url, tmp_path):
    result = crawl(tmp_path, database_url)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    print(f"stderr lines of a two-site crawl failing on TLS: {len(lines)}")
    assert "Traceback" not in result.stderr
    assert len(lines) <= 12, result.stderr  # per site: start, the TLS line, the summary; the advice
    for site in SITES:
        tls = [line for line in lines if " ERROR " in line and f"site={site}" in line]
        assert len(tls) == 1, result.stderr
        assert "TLS: the certificate of " in tls[0]
        assert f"{site}.com cannot be verified (certificate verify failed)" in tls[0]
        assert "SSL_CERT_FILE" in tls[0]
        advice = [line for line in lines if line.startswith(f"{site}: ")]
        assert advice == [advice[0]]
        assert advice[0].startswith(f"{site}: failed (tls) in crawl run ")
        assert "SSL_CERT_FILE" in advice[0]
    with psycopg.connect(database_url) as conn:
        runs = conn.execute(
            "SELECT site, status, reason FROM crawl_runs WHERE site = ANY(%s) ORDER BY id DESC LIMIT 2",
            (list(SITES),),
        ).fetchall()
    assert sorted(runs) == [(site, "failed", "tls") for site in sorted(SITES)]
    status = run_pantau("status", database_url=database_url, home=tmp_path, cwd=tmp_path)
    shown = [line for line in status.stdout.splitlines() if " failed: tls" in line]
    assert len(shown) == 2, status.stdout  # each site's last run, as a failure


def test_ssl_cert_file_naming_the_proxys_ca_makes_the_crawl_work(database_url, tmp_path):
    result = crawl(tmp_path, database_url, SSL_CERT_FILE=str(tmp_path / "ca.pem"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "TLS" not in result.stderr
