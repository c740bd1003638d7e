"""Data migration: standard export/import and legacy files. Uses apps' public services, never their tables."""
