"""The electronic official seal (電子公印): a signing certificate for the mayor, and PAdES signatures with it.

In production a municipality's seal certificate is issued by LGPKI's organisation CA (組織認証局, J-LIS), and a
relying party trusts LGPKI's root (アプリケーション認証局2). Kiban cannot issue those, so ``create_seal`` makes a
stand-in: a self-signed demo CA per municipality, and a seal certificate issued by that CA. Everything else —
signing with pyHanko as PAdES baseline B, validating against a given trust root — works the same whichever CA
issued the certificate, so swapping in an LGPKI certificate later means loading different PEM bytes, nothing more.

The signature is a certification signature (DocMDP, no changes allowed): any later revision of the file, even an
innocent-looking incremental update, makes ``verify_pdf`` report the certificate as invalid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "KibanElectronicSeal"


@dataclass(frozen=True)
class SealMaterial:
    """A seal: the demo CA's certificate (the trust root), the seal certificate, and its private key, all PEM.

    ``key_pem`` is the only secret (PKCS#8, unencrypted: the caller encrypts it at rest); it is the only field
    whose name contains "key". ``ca_cert_pem`` is what verifiers trust.
    """

    ca_cert_pem: bytes
    cert_pem: bytes
    key_pem: bytes = field(repr=False)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking a certificate PDF's signature.

    ``intact``: the signed bytes hash to what was signed. ``valid``: intact, cryptographically sound, chaining to
    the given root, covering the whole file with no later change. ``problem``: why not, in Japanese, for people.
    """

    valid: bool
    intact: bool
    signer: str
    signed_at: datetime | None
    problem: str | None


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def create_seal(common_name: str, organization: str, days: int = 3650) -> SealMaterial:
    """Make a demo CA (standing in for LGPKI's 組織認証局) and a seal certificate for ``common_name`` issued by it.

    ECDSA P-256 keys (fast to make, accepted by PAdES). The seal certificate has key usage digitalSignature and
    nonRepudiation (contentCommitment), as a signature on an official document should.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    now = datetime.now(UTC).replace(microsecond=0)
    not_before = now - timedelta(hours=1)  # tolerate clock skew between issuing host and verifier
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{organization} 組織認証局（デモ）", organization)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(now + timedelta(days=days + 1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organization))
        .issuer_name(ca_name)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return SealMaterial(
        ca_cert_pem=ca_cert.public_bytes(serialization.Encoding.PEM),
        cert_pem=seal_cert.public_bytes(serialization.Encoding.PEM),
        key_pem=_pem_key(seal_key),
    )


def _certificate(pem_or_der: bytes):
    """The first certificate in ``pem_or_der``, as asn1crypto (what pyHanko works with)."""
    from pyhanko.keys import load_certs_from_pemder_data

    for cert in load_certs_from_pemder_data(pem_or_der):
        return cert
    raise ValueError("no certificate found")


def _signer(seal: SealMaterial):
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = _certificate(seal.cert_pem)
    ca = _certificate(seal.ca_cert_pem)
    key = load_private_key_from_pemder_data(seal.key_pem, passphrase=None)
    return signers.SimpleSigner(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([ca])
    )


def sign_pdf(pdf: bytes, seal: SealMaterial, reason: str = "住民票の写しの交付", location: str = "") -> bytes:
    """Sign ``pdf`` with the seal: PAdES baseline B (ETSI.CAdES.detached), SHA-256, certification signature that
    allows no further changes. The signature field is invisible: the printed seal box is the visible mark, and
    signature panels in PDF readers show the signer. ``location`` defaults to the organisation in the certificate.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import MDPPerm

    signer = _signer(seal)
    if not location:
        location = str(signer.signing_cert.subject.native.get("organization_name", ""))
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    out = signers.sign_pdf(writer, metadata, signer=signer, new_field_spec=fields.SigFieldSpec(SIGNATURE_FIELD))
    return bytes(out.getvalue())


def _common_name(status) -> str:
    cert = getattr(status, "signing_cert", None)
    if cert is None:
        return ""
    return str(cert.subject.native.get("common_name", ""))


def verify_pdf(pdf: bytes, trust_root_pem: bytes) -> VerifyResult:
    """Validate the certificate's seal signature against ``trust_root_pem`` (the CA certificate, PEM or DER).

    Never raises for a bad file: this runs on uploads from the public verification page, so anything unreadable
    is simply not valid, with the reason in ``problem``. No revocation data exists for the demo CA, so revocation
    checking is soft-fail (no CRL/OCSP fetched). The caller bounds the upload size.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        root = _certificate(trust_root_pem)
    except Exception as exc:  # a misconfigured root is the operator's error, not the uploader's: say so loudly
        raise ValueError(f"trust root is not a certificate: {exc}") from exc
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception as exc:  # any parse failure of an uploaded file means "not a valid certificate"
        logger.info("verify_pdf: unreadable PDF: %s", exc)
        return VerifyResult(False, False, "", None, "PDFとして読み取れません。")
    if not signatures:
        return VerifyResult(False, False, "", None, "電子署名（電子公印）がありません。")
    if len(signatures) > 1:
        return VerifyResult(False, False, "", None, "電子署名が複数あります。交付後に変更された可能性があります。")
    embedded = signatures[0]
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception as exc:  # a malformed signature is an invalid one
        logger.info("verify_pdf: signature could not be validated: %s", exc)
        return VerifyResult(False, False, "", None, "電子署名を検証できません（署名または文書が壊れています）。")
    signer = _common_name(status)
    signed_at = status.signer_reported_dt
    if not status.intact:
        return VerifyResult(False, False, signer, signed_at, "署名後に文書が改変されています。")
    if not status.valid:
        return VerifyResult(False, True, signer, signed_at, "署名値が正しくありません。")
    if not status.trusted:
        return VerifyResult(False, True, signer, signed_at, "署名者の証明書が信頼できる認証局から発行されていません。")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or not status.bottom_line:
        return VerifyResult(False, True, signer, signed_at, "署名後に文書が追記・変更されています。")
    return VerifyResult(True, True, signer, signed_at, None)
