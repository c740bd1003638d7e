#!/usr/bin/env bash
# Restore one municipality from a tenant export backup into an EMPTY tenant (docs/operations/backups.md):
#
#   KIBAN_BACKUP_PASSPHRASE=... deploy/backup/restore-tenant.sh BACKUP.tar.enc TARGET_CODE [--dry-run]
#
# Decrypts into a private temporary directory, validates everything (`kiban import` reports file:line errors and
# writes nothing on any error), loads, and removes the plaintext.
set -euo pipefail
cd "$(dirname "$0")/../.."
backup="${1:?usage: restore-tenant.sh BACKUP.tar.enc TARGET_CODE [--dry-run]}"
target="${2:?usage: restore-tenant.sh BACKUP.tar.enc TARGET_CODE [--dry-run]}"
shift 2
: "${KIBAN_BACKUP_PASSPHRASE:?set KIBAN_BACKUP_PASSPHRASE}"
work="$(mktemp -d)"; chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
openssl enc -d -aes-256-cbc -pbkdf2 -pass env:KIBAN_BACKUP_PASSPHRASE -in "$backup" | tar -C "$work" -xf -
dir="$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)"
"${KIBAN:-.venv/bin/kiban}" import --tenant "$target" "$dir" "$@"
