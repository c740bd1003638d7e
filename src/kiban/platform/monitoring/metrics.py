"""Prometheus metrics. Labels never carry personal data; the tenant is not a label on request metrics (1,741
tenants times routes times statuses would be too many series): per-tenant usage belongs to metering."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("kiban_http_requests_total", "HTTP requests", ["route", "method", "status"])
LATENCY = Histogram(
    "kiban_http_request_duration_seconds",
    "HTTP request latency",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter("kiban_events_published_total", "Events written to the outbox", ["type"])
DELIVERIES = Counter("kiban_event_deliveries_total", "Delivery attempts by outcome", ["outcome"])
# Business activity, by business and kind of procedure (a few dozen values: no tenant, no person).
PROCEDURES = Counter("kiban_procedures_total", "Procedures completed", ["business", "kind"])
CERTIFICATES = Counter("kiban_certificates_issued_total", "Certificates issued", ["business", "kind"])
# Batch runs by job and how they ended (kiban.platform.batch): an abnormal end is alerted on
# increase(kiban_batch_runs_total{status="failed"}[5m]) > 0. No tenant label (1,741 tenants), no personal data.
BATCH_RUNS = Counter("kiban_batch_runs_total", "Batch runs ended, by job and status", ["job", "status"])
BATCH_DURATION = Histogram(
    "kiban_batch_run_duration_seconds",
    "Batch run duration",
    ["job"],
    buckets=(1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400),
)
