"""Emergency one-off benefits (臨時・緊急の給付金), defined by configuration and paid city-wide."""
