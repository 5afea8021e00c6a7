"""A throw-away PKI for the HTTPS tests: certificate authorities and server certificates made with the
`cryptography` package, and the server-side TLS context a loopback receiver presents them with."""

from __future__ import annotations

import datetime
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "AudioUploadNotifier tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return builder.not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))


@dataclass
class CertificateAuthority:
    name: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def create(cls, name: str, subject: Optional[x509.Name] = None) -> "CertificateAuthority":
        """`subject`: the exact encoded name, when a test needs one (e.g. another string type)."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = subject or _name(name)
        builder = _validity(x509.CertificateBuilder()
                            .subject_name(subject).issuer_name(subject)
                            .public_key(key.public_key()).serial_number(x509.random_serial_number()))
        builder = (builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                content_commitment=False, key_encipherment=False,
                                                data_encipherment=False, key_agreement=False,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
        return cls(name, key, builder.sign(key, hashes.SHA256()))

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, *hostnames: str, issuer: Optional[x509.Name] = None) -> "ServerCertificate":
        """A server certificate for `hostnames` (DNS names in the subjectAltName). `issuer`: the issuer
        name as written into the certificate, when it must be encoded unlike the CA's subject."""
        key = ec.generate_private_key(ec.SECP256R1())
        builder = _validity(x509.CertificateBuilder()
                            .subject_name(_name(hostnames[0])).issuer_name(issuer or self.certificate.subject)
                            .public_key(key.public_key()).serial_number(x509.random_serial_number()))
        builder = (builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hostnames]),
                                         critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                                  critical=False))
        return ServerCertificate(builder.sign(self.key, hashes.SHA256()), key)


@dataclass
class ServerCertificate:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def server_context(self) -> ssl.SSLContext:
        """What a loopback HTTPS receiver presents: this certificate, TLS 1.2 or later."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        with tempfile.TemporaryDirectory(prefix="test-pki-") as folder:
            cert = Path(folder) / "cert.pem"
            key = Path(folder) / "key.pem"
            cert.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
            key.write_bytes(self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
            context.load_cert_chain(cert, key)
        return context
