"""Audit trail (監査証跡): append-only, per tenant, hash-chained with a key kept outside the database."""
