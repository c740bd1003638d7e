"""For vendors' systems that receive Kiban's webhooks: verify the Standard Webhooks signature and timestamp,
and process each event once (idempotent by event id).

    verifier = WebhookVerifier(secret="whsec_…")
    event = verifier.verify(request_headers, raw_body)   # raises InvalidWebhook on a forged or replayed call
    if seen.add_if_new(event["id"]):                     # your store of processed ids
        handle(event)

Standalone: imports nothing from Django, so it can be copied into any Python service.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from .signing import sign

DEFAULT_TOLERANCE_SECONDS = 300


class InvalidWebhook(ValueError):
    """The call was not signed by Kiban with this secret, or is too old or too new (a replay)."""


class WebhookVerifier:
    def __init__(
        self, secret: str, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS, now: Callable[[], float] = time.time
    ) -> None:
        self.secret, self.tolerance, self.now = secret, tolerance_seconds, now

    def verify(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        h = {k.lower(): v for k, v in headers.items()}
        try:
            message_id, timestamp, signatures = h["webhook-id"], int(h["webhook-timestamp"]), h["webhook-signature"]
        except (KeyError, ValueError):
            raise InvalidWebhook("missing or malformed webhook-id, webhook-timestamp or webhook-signature") from None
        if abs(self.now() - timestamp) > self.tolerance:
            raise InvalidWebhook(f"timestamp {timestamp} is outside the tolerance of {self.tolerance} s")
        expected = sign(self.secret, message_id, timestamp, body)
        if not any(hmac.compare_digest(expected, s) for s in signatures.split()):
            raise InvalidWebhook("no valid signature")
        event: dict[str, Any] = json.loads(body)
        if event.get("id") != message_id:
            raise InvalidWebhook("webhook-id does not match the event id")
        return event


class SeenIds:
    """A minimal in-memory idempotency store; use a database table with a unique key in production."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def add_if_new(self, event_id: str) -> bool:
        if event_id in self._seen:
            return False
        self._seen.add(event_id)
        return True
