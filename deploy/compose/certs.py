"""The compose board's Kafka TLS material, made once by the `kafka-certs` service (in the
huisacademie image, with `cryptography`): a certificate authority, and the brokers'
certificate (CN=broker, the brokers' principal) for kafka-1, kafka-2, kafka-3 and localhost,
as PEM files Kafka reads as they are (ssl.keystore.type=PEM).

    python certs.py TLS_DIR CA_DIR

TLS_DIR (mounted by the Kafka nodes only) gets ca.pem and broker.pem (key and chain);
CA_DIR (mounted by the services) gets ca.pem alone. Files that exist are kept."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 825
NAMES = ("kafka-1", "kafka-2", "kafka-3", "localhost")
_CA_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=False, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
    encipher_only=False, decipher_only=False,
)  # fmt: skip


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "huisacademie compose"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def make(tls: Path, ca_only: Path) -> None:
    ca_pem, broker_pem = tls / "ca.pem", tls / "broker.pem"
    if not (ca_pem.is_file() and broker_pem.is_file()):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("huisacademie compose CA")
        ca = _certificate(
            ca_name, ca_key, ca_name, ca_key,
            [(x509.BasicConstraints(ca=True, path_length=0), True), (_CA_USAGE, True)],
        )  # fmt: skip
        key = ec.generate_private_key(ec.SECP256R1())
        broker = _certificate(
            _name("broker"), key, ca_name, ca_key,
            [
                (x509.SubjectAlternativeName([x509.DNSName(n) for n in NAMES]), False),
                (x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), False),
            ],
        )  # fmt: skip
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        pem = serialization.Encoding.PEM
        ca_pem.write_bytes(ca.public_bytes(pem))
        # Readable by the Kafka image's own user; the volume is mounted by the nodes only.
        broker_pem.write_bytes(private + broker.public_bytes(pem) + ca.public_bytes(pem))
        for path in (ca_pem, broker_pem):
            path.chmod(0o644)
    (ca_only / "ca.pem").write_bytes(ca_pem.read_bytes())
    (ca_only / "ca.pem").chmod(0o644)
    print(f"Kafka TLS material in {tls}, its CA in {ca_only}")


if __name__ == "__main__":
    make(Path(sys.argv[1]), Path(sys.argv[2]))
