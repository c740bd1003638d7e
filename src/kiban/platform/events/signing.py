"""Webhook signatures per the Standard Webhooks specification (standardwebhooks.com, "Signature scheme"):

- headers ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``;
- the signed content is ``f"{id}.{timestamp}.{body}"``; the signature is ``v1,`` + base64(HMAC-SHA256(key));
- the secret is ``whsec_`` + base64(key bytes); the header may hold several space-separated signatures (key
  rotation); receivers reject timestamps outside a tolerance (default 5 minutes) to stop replays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    content = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), content, hashlib.sha256).digest()).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
        "content-type": "application/json",
    }
