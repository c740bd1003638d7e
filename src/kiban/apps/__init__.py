"""Business apps, one package per standard business. No app imports another: they talk through
``kiban.standard`` events and APIs, exactly as two vendors' systems would (ARCHITECTURE.md)."""
