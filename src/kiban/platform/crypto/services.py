"""Encrypt and decrypt values for the current tenant; keyed digests for uniqueness without plaintext."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction

from kiban.platform.tenants.context import current_tenant_id

from .models import TenantDataKey

NONCE_BYTES = 12


class DecryptionError(Exception):
    """A value does not decrypt with this tenant's keys (wrong tenant, wrong column, or tampered)."""


def _master_key() -> bytes:
    key = base64.b64decode(settings.KIBAN_MASTER_KEY)
    if len(key) != 32:
        raise ValueError("KIBAN_MASTER_KEY must be 32 bytes, base64-encoded")
    return key


def _wrap(tenant_id: str, generation: int, data_key: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(_master_key()).encrypt(nonce, data_key, f"{tenant_id}:{generation}".encode())


@lru_cache(maxsize=4096)
def _unwrap(tenant_id: str, generation: int, wrapped: bytes, master_fingerprint: bytes) -> bytes:
    try:
        aad = f"{tenant_id}:{generation}".encode()
        return AESGCM(_master_key()).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
    except Exception as exc:  # cryptography raises InvalidTag
        raise DecryptionError(f"the data key of {tenant_id} does not unwrap with this master key") from exc


def _fingerprint() -> bytes:
    return hashlib.sha256(_master_key()).digest()[:8]


def _key(generation: int | None = None) -> tuple[int, bytes]:
    tenant_id = current_tenant_id()
    keys = TenantDataKey.objects.order_by("-generation")
    row = keys.first() if generation is None else keys.filter(generation=generation).first()
    if row is None:
        if generation is not None:
            raise DecryptionError(f"{tenant_id} has no data key of generation {generation}")
        with transaction.atomic():
            row = TenantDataKey(tenant_id=tenant_id, generation=1, wrapped=_wrap(tenant_id, 1, os.urandom(32)))
            row.save()
    return row.generation, _unwrap(tenant_id, row.generation, bytes(row.wrapped), _fingerprint())


def encrypt(value: str, column: str) -> bytes:
    """``generation (4 bytes) || nonce || AES-GCM(value)`` under the current tenant's newest key."""
    generation, key = _key()
    nonce = os.urandom(NONCE_BYTES)
    aad = f"{current_tenant_id()}:{column}".encode()
    return struct.pack(">I", generation) + nonce + AESGCM(key).encrypt(nonce, value.encode(), aad)


def decrypt(blob: bytes, column: str) -> str:
    blob = bytes(blob)
    (generation,) = struct.unpack(">I", blob[:4])
    _, key = _key(generation)
    aad = f"{current_tenant_id()}:{column}".encode()
    try:
        return AESGCM(key).decrypt(blob[4 : 4 + NONCE_BYTES], blob[4 + NONCE_BYTES :], aad).decode()
    except Exception as exc:
        raise DecryptionError(f"a {column} value does not decrypt in tenant {current_tenant_id()}") from exc


def digest(value: str, column: str) -> str:
    """A keyed digest (HMAC-SHA256 under the tenant's first key) to find equal values without decrypting."""
    _, key = _key(1) if TenantDataKey.objects.exists() else _key()
    return hmac.new(key, f"{column}:{value}".encode(), hashlib.sha256).hexdigest()


class ColumnCipher:
    """``encrypt``/``decrypt``/``digest`` of one column for the current tenant with its keys loaded once: for batch
    work (an export or import of a million values inside one COPY, where a query per value is impossible).

    Same bytes as the functions above (layout, associated data, digest key); made by :func:`cipher` inside the
    tenant's context, and valid for that tenant only. ``prepare_for_writing``/``prepare_for_reading`` load the
    keys up front (they query, and ``encrypt`` may create the tenant's first key as :func:`encrypt` would): call
    them before a COPY starts, while the connection is free.
    """

    def __init__(self, column: str) -> None:
        self.column = column
        self.tenant_id = current_tenant_id()
        self.aad = f"{self.tenant_id}:{column}".encode()
        self._aead: dict[int, AESGCM] = {}
        self._newest: int | None = None
        self._digest_key: bytes | None = None

    def _generation(self, generation: int) -> AESGCM:
        aead = self._aead.get(generation)
        if aead is None:
            _, key = _key(generation)
            aead = self._aead[generation] = AESGCM(key)
        return aead

    def prepare_for_reading(self) -> ColumnCipher:
        """Load every generation of the tenant's key."""
        for generation in TenantDataKey.objects.values_list("generation", flat=True):
            self._generation(generation)
        return self

    def prepare_for_writing(self) -> ColumnCipher:
        """Load the newest key (creating the tenant's first one if it has none, as ``encrypt`` does) and the digest
        key."""
        generation, key = _key()
        self._newest = generation
        self._aead[generation] = AESGCM(key)
        self._digest_key = (_key(1) if TenantDataKey.objects.exists() else (generation, key))[1]
        return self

    def encrypt(self, value: str) -> bytes:
        if self._newest is None:
            self.prepare_for_writing()
        assert self._newest is not None
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self._newest].encrypt(nonce, value.encode(), self.aad)
        return struct.pack(">I", self._newest) + nonce + sealed

    def decrypt(self, blob: bytes) -> str:
        blob = bytes(blob)
        (generation,) = struct.unpack(">I", blob[:4])
        aead = self._generation(generation)
        try:
            return aead.decrypt(blob[4 : 4 + NONCE_BYTES], blob[4 + NONCE_BYTES :], self.aad).decode()
        except Exception as exc:
            raise DecryptionError(f"a {self.column} value does not decrypt in tenant {self.tenant_id}") from exc

    def digest(self, value: str) -> str:
        if self._digest_key is None:
            self.prepare_for_writing()
        assert self._digest_key is not None
        return hmac.digest(self._digest_key, f"{self.column}:{value}".encode(), "sha256").hex()


def cipher(column: str) -> ColumnCipher:
    """A :class:`ColumnCipher` of ``column`` for the current tenant (keys loaded on first use, or by ``prepare_*``)."""
    return ColumnCipher(column)
