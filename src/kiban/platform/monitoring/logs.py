"""Structured JSON logs, one object per line, with the request id and tenant of the unit of work.

Log records carry identifiers, never personal data: code logs ids and codes, not names, addresses or numbers
(tested in tests/platform/test_monitoring.py by searching the captured log output for a resident's data).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from kiban.platform.audit.actor import current_request_id
from kiban.platform.tenants.context import current_tenant_id_or_none


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id() or None,
            "tenant": current_tenant_id_or_none(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
