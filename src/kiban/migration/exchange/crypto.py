"""The current tenant's data keys, loaded once for a whole export or import.

``kiban.platform.crypto.services.encrypt/decrypt/digest`` read the key row on every call (a query each); a
million rows inside one COPY cannot make a query per row (the connection is busy streaming). The platform's batch
API ``crypto.services.cipher(column)`` loads the keys once and produces exactly what those functions produce
(tested against them in tests/migration/test_exchange.py).
"""

from __future__ import annotations

from kiban.platform.crypto.services import ColumnCipher


class TenantCipher(ColumnCipher):
    """Encrypt, decrypt and digest values of one column for the current tenant (enter the tenant context first)."""


__all__ = ["TenantCipher"]
