"""Rendering and signing resident certificates (住民票の写し, 除票の写し, 住民票記載事項証明書): plain data in,
signed PDF bytes out. No models, no database; importable without Django settings.

- ``content``: the dataclasses the registry fills (the contract).
- ``pdf.render``: the A4 PDF, laid out as the resident record standard has it.
- ``seal``: the electronic official seal (電子公印): demo CA and seal certificate, PAdES signing, verification.
See docs/residents/certificates.md.
"""

from __future__ import annotations

from . import content, pdf, seal
from .content import CertificateContent, HistoryLine, PersonEntry
from .seal import SealMaterial, VerifyResult, create_seal, sign_pdf, verify_pdf

REASONS = {
    "resident_copy": "住民票の写しの交付",
    "removed_copy": "除票の写しの交付",
    "recorded_items": "住民票記載事項証明書の交付",
    "removed_items": "住民票除票記載事項証明書の交付",
    "move_out": "転出証明書の交付",
    "move_out_equivalent": "転出証明書に準ずる証明書の交付",
}


def render_signed(content: CertificateContent, seal: SealMaterial) -> bytes:
    """Render the certificate and sign it with the municipality's seal: the PDF that is handed out."""
    return sign_pdf(pdf.render(content), seal, reason=REASONS[content.kind], location=content.municipality_name)


__all__ = [
    "CertificateContent",
    "HistoryLine",
    "PersonEntry",
    "SealMaterial",
    "VerifyResult",
    "content",
    "create_seal",
    "pdf",
    "render_signed",
    "seal",
    "sign_pdf",
    "verify_pdf",
]
