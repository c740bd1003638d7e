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
