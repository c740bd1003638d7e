"""Per-tenant encryption of the most sensitive items (個人番号 and the like).

Envelope encryption: each municipality has its own random 256-bit data key, stored only wrapped (AES-GCM) by the
platform master key ``settings.KIBAN_MASTER_KEY``, which lives outside the database (an environment variable, in
production a KMS/HSM). An operator with the database alone reads ciphertext; an operator with both still meets
row-level security on the key table. Values are AES-256-GCM with the tenant code and the column as associated
data, so a ciphertext copied to another tenant or column does not decrypt.
"""
