"""The replay world over HTTPS on loopback, with a certificate from a CA of the test's own.

Plays an inspecting proxy: the "sites" answer with a certificate no system trust store knows, so a
crawl fails on TLS unless it is told to trust that CA (SSL_CERT_FILE).
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.replay.server import HOSTS, ReplayHTTPServer
from tests.support.replay.world import World

LOOPBACK = ipaddress.ip_address("127.0.0.1")


@dataclass(frozen=True)
class Certificates:
    """PEM files: the CA to trust, and the server's certificate (for 127.0.0.1) and key."""

    ca: Path
    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(folder: Path) -> Certificates:
    """A CA ("pantau test proxy CA") and a server certificate it signed for 127.0.0.1."""
    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("pantau test proxy CA"))
        .issuer_name(_name("pantau test proxy CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(*[False] * 5, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOOPBACK)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    files = Certificates(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


class TLSReplayServer(ReplayHTTPServer):
    """The replay server speaking HTTPS; its host map sends the sites to https://127.0.0.1:PORT."""

    certificates: Certificates  # set by `tls_server_class`

    def __init__(self, world: World) -> None:
        super().__init__(world)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificates.cert, self.certificates.key)
        self.socket = context.wrap_socket(self.socket, server_side=True)

    def host_map(self) -> dict[str, str]:
        """crawl.host_map sending every replayed host here, over TLS."""
        return dict.fromkeys(HOSTS, f"https://{self.address}")


def tls_server_class(certificates: Certificates) -> type[TLSReplayServer]:
    """A TLSReplayServer class presenting these certificates (for replay.serve)."""
    return type("TLSReplayServerWith", (TLSReplayServer,), {"certificates": certificates})
