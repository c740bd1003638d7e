"""Metering and cost allocation (費用按分): usage per municipality per month, and the platform's cost split by
a configurable rule (fixed share + per resident + per usage). Holds counts only, never personal data."""
