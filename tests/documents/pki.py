"""A certification authority made in the test: a root, an intermediate and signers' leaves, with
their PKCS#12 files, built with `cryptography` (no file, no network)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, signing: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class Issued:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _issue(
    subject: x509.Name,
    issuer: Issued | None,
    *,
    ca: bool,
    signing: bool = True,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    use_rsa: bool = False,
) -> Issued:
    # Vietnamese CAs issue RSA 2048 keys on tokens; EC keys are quicker to make in a test.
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if use_rsa
        else ec.generate_private_key(ec.SECP256R1())
    )
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=30))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_usage(signing=signing and not ca, ca=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    )
    return Issued(key, builder.sign(signer_key, hashes.SHA256()))


@dataclass
class TestCA:
    root: Issued
    intermediate: Issued

    def leaf(
        self,
        common_name: str = "Nguyễn Văn An",
        *,
        organisation: str = "Liên minh HTX A1",
        signing: bool = True,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        use_rsa: bool = False,
    ) -> Issued:
        return _issue(
            _name(common_name, organisation),
            self.intermediate,
            ca=False,
            signing=signing,
            not_before=not_before,
            not_after=not_after,
            use_rsa=use_rsa,
        )

    def pkcs12(self, leaf: Issued, password: str) -> bytes:
        """The leaf's key and certificate with the intermediate, as a signer's .p12 file."""
        return pkcs12.serialize_key_and_certificates(
            b"chu-ky",
            leaf.key,
            leaf.certificate,
            [self.intermediate.certificate],
            serialization.BestAvailableEncryption(password.encode("utf-8"))
            if password
            else serialization.NoEncryption(),
        )

    def root_file(self, tmp_path, name: str = "root.pem") -> str:
        path = tmp_path / name
        path.write_bytes(self.root.pem)
        return str(path)


def make_ca(name: str = "CA thử nghiệm") -> TestCA:
    root = _issue(_name(name, "Tổ chức chứng thực thử"), None, ca=True)
    intermediate = _issue(_name(f"{name} — cấp 2", "Tổ chức chứng thực thử"), root, ca=True)
    return TestCA(root, intermediate)
