"""Throwaway certificates for the stand-in's mutual TLS (demo and tests only).

One CA signs a server certificate for localhost / 127.0.0.1 and a client certificate
standing in for the school's PKIoverheid certificate. Keys are written unencrypted:
never use these outside a demo.

    python -m standins.duo.certs DIR
"""

from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Certificaten", "maak_certificaten", "zorg_voor_certificaten"]


@dataclass(frozen=True)
class Certificaten:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    @classmethod
    def in_map(cls, map_: Path) -> Certificaten:
        return cls(
            ca=map_ / "ca.pem",
            server_cert=map_ / "server.pem",
            server_key=map_ / "server-key.pem",
            client_cert=map_ / "client.pem",
            client_key=map_ / "client-key.pem",
        )

    def bestaan(self) -> bool:
        return all(
            pad.exists()
            for pad in (
                self.ca,
                self.server_cert,
                self.server_key,
                self.client_cert,
                self.client_key,
            )
        )


def zorg_voor_certificaten(map_: Path) -> Certificaten:
    """The certificates in `map_`, made first if any is missing."""
    certificaten = Certificaten.in_map(map_)
    return certificaten if certificaten.bestaan() else maak_certificaten(map_)


def maak_certificaten(map_: Path, *, geldig_dagen: int = 90) -> Certificaten:
    map_.mkdir(parents=True, exist_ok=True)
    certificaten = Certificaten.in_map(map_)
    nu = datetime.now(UTC)
    geldig = (nu - timedelta(hours=1), nu + timedelta(days=geldig_dagen))

    ca_sleutel = ec.generate_private_key(ec.SECP256R1())
    ca_naam = _naam("Verzuimketen demo-CA (niet vertrouwen)")
    ca = (
        _basis(ca_naam, ca_naam, ca_sleutel.public_key(), geldig)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_sleutelgebruik(ca=True), critical=True)
        .sign(ca_sleutel, hashes.SHA256())
    )

    server_sleutel = ec.generate_private_key(ec.SECP256R1())
    server = (
        _basis(_naam("localhost"), ca_naam, server_sleutel.public_key(), geldig)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_sleutelgebruik(ca=False), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_sleutel, hashes.SHA256())
    )

    client_sleutel = ec.generate_private_key(ec.SECP256R1())
    client = (
        _basis(
            _naam("Testschool verzuimkoppeling"),
            ca_naam,
            client_sleutel.public_key(),
            geldig,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_sleutelgebruik(ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .sign(ca_sleutel, hashes.SHA256())
    )

    _schrijf_certificaat(certificaten.ca, ca)
    _schrijf_certificaat(certificaten.server_cert, server)
    _schrijf_sleutel(certificaten.server_key, server_sleutel)
    _schrijf_certificaat(certificaten.client_cert, client)
    _schrijf_sleutel(certificaten.client_key, client_sleutel)
    return certificaten


def _naam(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Verzuimketen demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _basis(
    onderwerp: x509.Name,
    uitgever: x509.Name,
    sleutel: ec.EllipticCurvePublicKey,
    geldig: tuple[datetime, datetime],
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(onderwerp)
        .issuer_name(uitgever)
        .public_key(sleutel)
        .serial_number(x509.random_serial_number())
        .not_valid_before(geldig[0])
        .not_valid_after(geldig[1])
    )


def _sleutelgebruik(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _schrijf_certificaat(pad: Path, certificaat: x509.Certificate) -> None:
    pad.write_bytes(certificaat.public_bytes(serialization.Encoding.PEM))


def _schrijf_sleutel(pad: Path, sleutel: ec.EllipticCurvePrivateKey) -> None:
    pad.write_bytes(
        sleutel.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pad.chmod(0o600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("map", type=Path, help="directory for the PEM files")
    parser.add_argument("--geldig-dagen", type=int, default=90)
    argumenten = parser.parse_args()
    certificaten = maak_certificaten(
        argumenten.map, geldig_dagen=argumenten.geldig_dagen
    )
    print(f"certificaten in {certificaten.ca.parent}")


if __name__ == "__main__":
    main()
