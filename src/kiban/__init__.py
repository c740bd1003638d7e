"""Kiban (基盤): a shared Gov-Cloud platform and standard business apps for Japan's municipalities."""
