"""A demo OpenID Connect provider standing in for the national ID card authentication app (デジタル認証アプリ).

It issues what that app gives relying parties after a My Number Card authentication: a subject identifier and
the four basic items (基本4情報: name, address, date of birth, sex) as standard OIDC claims (``name``,
``family_name``, ``given_name``, ``address.formatted``, ``birthdate``, ``gender``). It is django-oauth-toolkit's
OIDC provider with authorization code + PKCE; in production the portal is pointed at the real provider by
settings alone (``KIBAN_PORTAL_OIDC``) and this app is not used.
"""
