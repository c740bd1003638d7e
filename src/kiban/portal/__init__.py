"""The resident portal (once-only online procedures). Reaches business apps only through ``kiban.standard``."""
