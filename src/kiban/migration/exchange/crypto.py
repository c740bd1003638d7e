"""The current tenant's data keys, loaded once for a whole export or import.

``kiban.platform.crypto.services.encrypt/decrypt/digest`` read the key row on every call (a query each); a
million rows inside one COPY cannot make a query per row (the connection is busy streaming). This class
produces exactly what those functions produce (same layout, same associated data, same digest key: tested
against them in tests/migration/test_exchange.py), with the keys fetched through the service's own key lookup.
The platform could offer this as a public batch API (``crypto.services.cipher(column)``); until then this is
the one place the migration package reaches into ``crypto.services`` internals.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiban.platform.crypto import services as crypto
from kiban.platform.crypto.models import TenantDataKey
from kiban.platform.tenants.context import current_tenant_id


class TenantCipher:
    """Encrypt, decrypt and digest values of one column for the current tenant (enter the tenant context first)."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.tenant_id = current_tenant_id()
        self.aad = f"{self.tenant_id}:{column}".encode()
        self._aead: dict[int, AESGCM] = {}
        self._newest: int | None = None
        self._digest_key: bytes | None = None

    def _cipher(self, generation: int) -> AESGCM:
        aead = self._aead.get(generation)
        if aead is None:
            _, key = crypto._key(generation)
            aead = self._aead[generation] = AESGCM(key)
        return aead

    def prepare_for_reading(self) -> None:
        """Load every generation of the tenant's key (before a COPY starts: the lookups query)."""
        for generation in TenantDataKey.objects.values_list("generation", flat=True):
            self._cipher(generation)

    def prepare_for_writing(self) -> None:
        """Load (creating it if the tenant has none yet, as ``encrypt`` would) the newest key and the digest key.
        Call before a COPY starts: it may query and insert."""
        generation, key = crypto._key()
        self._newest = generation
        self._aead[generation] = AESGCM(key)
        first = crypto._key(1) if TenantDataKey.objects.exists() else (generation, key)
        self._digest_key = first[1]

    def encrypt(self, value: str) -> bytes:
        if self._newest is None:
            self.prepare_for_writing()
        assert self._newest is not None
        nonce = os.urandom(crypto.NONCE_BYTES)
        return (
            struct.pack(">I", self._newest) + nonce + self._aead[self._newest].encrypt(nonce, value.encode(), self.aad)
        )

    def digest(self, value: str) -> str:
        if self._digest_key is None:
            self.prepare_for_writing()
        assert self._digest_key is not None
        return hmac.new(self._digest_key, f"{self.column}:{value}".encode(), hashlib.sha256).hexdigest()

    def decrypt(self, blob: bytes) -> str:
        (generation,) = struct.unpack(">I", blob[:4])
        n = crypto.NONCE_BYTES
        try:
            return self._cipher(generation).decrypt(blob[4 : 4 + n], blob[4 + n :], self.aad).decode()
        except Exception as exc:
            raise crypto.DecryptionError(f"a {self.column} value does not decrypt in tenant {self.tenant_id}") from exc
