#!/usr/bin/env bash
# Per-municipality backups in the standard exchange format (docs/operations/backups.md).
#
#   KIBAN_BACKUP_PASSPHRASE=... deploy/backup/tenant-exports.sh DEST [CODE ...]
#
# For each tenant (all provisioned tenants if no CODE is given): `kiban export` into a private temporary
# directory, check every file against the manifest's SHA-256, then pack and encrypt (AES-256, PBKDF2) into
# DEST/<date>/<code>.tar.enc and remove the plaintext. The files carry 個人番号 (特定個人情報): they never rest
# unencrypted. Exit status is non-zero if any tenant failed; the others are still exported.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest="${1:?usage: tenant-exports.sh DEST [CODE ...]}"; shift || true
: "${KIBAN_BACKUP_PASSPHRASE:?set KIBAN_BACKUP_PASSPHRASE (the backups are encrypted with it)}"
kiban="${KIBAN:-.venv/bin/kiban}"
python="${PYTHON:-.venv/bin/python}"
codes=("$@")
if [ ${#codes[@]} -eq 0 ]; then
  mapfile -t codes < <("$kiban" tenants list | cut -f1)
fi
day="$(date -u +%Y-%m-%d)"
mkdir -p "$dest/$day"
work="$(mktemp -d)"; chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
failed=0
for code in "${codes[@]}"; do
  out="$work/$code"
  if ! "$kiban" export --tenant "$code" --out "$out" >/dev/null; then
    echo "FAILED export $code" >&2; failed=1; continue
  fi
  if ! "$python" - "$out" <<'PY'
import hashlib, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
manifest = json.loads((root / "manifest.json").read_text())
entries = [(t["file"], t["sha256"]) for t in manifest["tables"].values()]
entries += list(manifest.get("schemas", {}).items())
bad = [name for name, digest in entries if hashlib.sha256((root / name).read_bytes()).hexdigest() != digest]
sys.exit(f"checksum mismatch: {bad}" if bad else 0)
PY
  then
    echo "FAILED check $code" >&2; failed=1; continue
  fi
  tar -C "$work" -cf - "$code" | openssl enc -aes-256-cbc -pbkdf2 -salt -pass env:KIBAN_BACKUP_PASSPHRASE \
    -out "$dest/$day/$code.tar.enc"
  rm -rf "$out"
  echo "ok $code $dest/$day/$code.tar.enc"
done
exit "$failed"
