"""Monitoring done once for everyone: health and readiness probes, Prometheus metrics, structured logs."""
