"""児童手当 (child allowance): eligibility, monthly amounts and payment months, as rules as code.

This part is pure computation (``rules.py`` over ``params/child_allowance.yaml``) and imports without
Django; recognition, registry events, payment files and notices come with the Django app.
"""
