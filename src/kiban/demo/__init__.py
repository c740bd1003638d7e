"""The demo municipality for ``make demo`` (composition root: may use every layer)."""
