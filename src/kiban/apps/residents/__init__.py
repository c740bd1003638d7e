"""Resident registry (住民記録): the reference app for 住民記録システム標準仕様書.

This first cut holds the person record the platform's isolation, audit and API tests need; the full standard
(households, notifications, history, certificates) grows here.
"""
