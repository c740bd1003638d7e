"""The electronic official seal (電子公印): the certificate PDF verifies, and any change or foreign CA fails."""

from __future__ import annotations

from io import BytesIO

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from kiban.apps.residents.printing import pdf, render_signed
from kiban.apps.residents.printing.seal import SealMaterial, create_seal, sign_pdf, verify_pdf

from .factories import content


@pytest.fixture(scope="module")
def seal() -> SealMaterial:
    return create_seal("東京都千代田区長", "東京都千代田区")


@pytest.fixture(scope="module")
def signed(seal: SealMaterial) -> bytes:
    return render_signed(content(), seal)


def test_seal_certificate_is_issued_by_the_demo_ca_for_signing(seal: SealMaterial) -> None:
    ca = x509.load_pem_x509_certificate(seal.ca_cert_pem)
    cert = x509.load_pem_x509_certificate(seal.cert_pem)
    assert cert.issuer == ca.subject and ca.issuer == ca.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "東京都千代田区長"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    cert.verify_directly_issued_by(ca)
    assert b"PRIVATE KEY" in seal.key_pem
    assert "PRIVATE" not in repr(seal)  # the key never ends up in logs


def test_signed_certificate_verifies(seal: SealMaterial, signed: bytes) -> None:
    result = verify_pdf(signed, seal.ca_cert_pem)
    assert result.valid and result.intact, result.problem
    assert result.signer == "東京都千代田区長"
    assert result.signed_at is not None
    assert result.problem is None


def test_signature_is_pades_and_certifies_the_document(signed: bytes) -> None:
    assert b"/ETSI.CAdES.detached" in signed
    assert b"/DocMDP" in signed


def test_signing_keeps_the_rendered_document(seal: SealMaterial) -> None:
    unsigned = pdf.render(content())
    signed = sign_pdf(unsigned, seal)
    assert signed.startswith(unsigned)  # an incremental update: the rendered bytes are what was signed


def _flip_inside_first_stream(document: bytes) -> bytes:
    start = document.index(b"stream") + 20  # inside the first object's stream data: within the signed range
    tampered = bytearray(document)
    tampered[start] ^= 0x01
    return bytes(tampered)


def test_changing_one_signed_byte_invalidates(seal: SealMaterial, signed: bytes) -> None:
    result = verify_pdf(_flip_inside_first_stream(signed), seal.ca_cert_pem)
    assert not result.valid
    assert not result.intact
    assert result.problem


def test_a_damaged_signature_value_invalidates(seal: SealMaterial, signed: bytes) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    value = embedded.signer_info["signature"].native
    hex_value = next(h for h in (value.hex().encode(), value.hex().upper().encode()) if h in signed)
    position = signed.index(hex_value) + len(hex_value) // 2
    tampered = bytearray(signed)
    tampered[position : position + 1] = b"0" if tampered[position : position + 1] != b"0" else b"1"
    result = verify_pdf(bytes(tampered), seal.ca_cert_pem)
    assert not result.valid
    assert result.problem


def test_an_incremental_update_that_changes_content_invalidates(seal: SealMaterial, signed: bytes) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    overlay = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 400 Td (FORGED) Tj ET")
    contents = page["/Contents"]
    page["/Contents"] = generic.ArrayObject([contents, writer.add_object(overlay)])
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue(), seal.ca_cert_pem)
    assert not result.valid
    assert result.intact  # the signed revision itself is untouched; what was added after is the problem
    assert result.problem == "署名後に文書が追記・変更されています。"


def test_an_incremental_update_of_metadata_only_also_invalidates(seal: SealMaterial, signed: bytes) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed), strict=False)
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    assert not verify_pdf(out.getvalue(), seal.ca_cert_pem).valid  # certified with no changes allowed


def test_a_certificate_signed_under_another_ca_fails_against_our_root(seal: SealMaterial) -> None:
    impostor = create_seal("東京都千代田区長", "東京都千代田区")  # same names, different keys
    forged = render_signed(content(), impostor)
    assert verify_pdf(forged, impostor.ca_cert_pem).valid
    result = verify_pdf(forged, seal.ca_cert_pem)
    assert not result.valid
    assert result.intact  # cryptographically fine, just not ours
    assert result.problem == "署名者の証明書が信頼できる認証局から発行されていません。"


@pytest.mark.parametrize("document", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF"])
def test_garbage_is_not_valid_and_does_not_raise(seal: SealMaterial, document: bytes) -> None:
    result = verify_pdf(document, seal.ca_cert_pem)
    assert not result.valid and result.problem


def test_an_unsigned_certificate_is_not_valid(seal: SealMaterial) -> None:
    result = verify_pdf(pdf.render(content()), seal.ca_cert_pem)
    assert not result.valid
    assert result.problem == "電子署名（電子公印）がありません。"


def test_a_bad_trust_root_is_the_operators_error(signed: bytes) -> None:
    with pytest.raises(ValueError):
        verify_pdf(signed, b"not a certificate")


def test_seal_lifetime_must_be_positive() -> None:
    with pytest.raises(ValueError):
        create_seal("x", "y", days=0)
