#!/bin/sh
# Creates the JWT signing key in Key Vault, once.
#
# azd runs this after `azd provision` / `azd up` (see azure.yaml), with the outputs of
# infra/main.bicep in the environment. Without azd, run it by hand after
# `az deployment group create` (infra/README.md shows how).
#
# The key is 64 bytes from OpenSSL's CSPRNG, base64-encoded (enough for HS256, HS384 and HS512).
# It is written to a private temporary file and uploaded from there: it never appears on a
# command line, in a variable, on the terminal or in a log. When the secret already has an
# enabled version nothing is changed, so re-provisioning never invalidates issued tokens.
# Rotation is a deliberate, separate step (infra/README.md, "Rotating the signing key").
set -eu

vault="${AZURE_KEY_VAULT_NAME:?AZURE_KEY_VAULT_NAME is not set; it is an output of infra/main.bicep}"
secret_name="${AZURE_SIGNING_KEY_SECRET_NAME:-jwt-signing-key}"
max_attempts="${POSTPROVISION_MAX_ATTEMPTS:-20}"
delay_seconds="${POSTPROVISION_RETRY_SECONDS:-15}"

log() {
  printf 'postprovision: %s\n' "$*" >&2
}

for tool in az openssl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    log "'$tool' is required but was not found on PATH."
    exit 1
  fi
done

# Role assignments (Key Vault Secrets Officer for the deployer) can take a few minutes to
# apply after provisioning, so "Forbidden" is retried for a while.
is_propagation_delay() {
  case "$1" in
    *Forbidden* | *ForbiddenByRbac* | *"does not have secrets"* | *"Caller is not authorized"*) return 0 ;;
    *) return 1 ;;
  esac
}

# Number of enabled versions of the secret. Lists metadata only: no secret value is fetched.
count_enabled_versions() {
  attempt=1
  while :; do
    if output=$(az keyvault secret list-versions --vault-name "$vault" --name "$secret_name" \
      --query "length([?attributes.enabled])" --output tsv 2>&1); then
      printf '%s\n' "${output:-0}"
      return 0
    fi
    case "$output" in
      *SecretNotFound* | *"was not found"* | *"not found"*)
        printf '0\n'
        return 0
        ;;
    esac
    if is_propagation_delay "$output" && [ "$attempt" -lt "$max_attempts" ]; then
      log "no access to vault '$vault' yet (role assignment still propagating); retrying in ${delay_seconds}s ($attempt/$max_attempts)."
      attempt=$((attempt + 1))
      sleep "$delay_seconds"
      continue
    fi
    log "could not list versions of secret '$secret_name' in vault '$vault': $output"
    return 1
  done
}

enabled=$(count_enabled_versions)
if [ "$enabled" -gt 0 ]; then
  log "secret '$secret_name' in vault '$vault' already has $enabled enabled version(s); leaving it unchanged."
  exit 0
fi

umask 077
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
trap 'exit 1' HUP INT TERM
key_file="$workdir/signing-key"

# 64 random bytes -> 88 base64 characters on one line (openssl wraps at 64 columns).
openssl rand -base64 64 | tr -d '\n' >"$key_file"

attempt=1
while :; do
  if output=$(az keyvault secret set --vault-name "$vault" --name "$secret_name" \
    --file "$key_file" --encoding utf-8 --content-type "base64; HMAC signing key" \
    --output none 2>&1); then
    break
  fi
  if is_propagation_delay "$output" && [ "$attempt" -lt "$max_attempts" ]; then
    log "no write access to vault '$vault' yet; retrying in ${delay_seconds}s ($attempt/$max_attempts)."
    attempt=$((attempt + 1))
    sleep "$delay_seconds"
    continue
  fi
  case "$output" in
    *ObjectIsDeletedButRecoverable*)
      log "secret '$secret_name' is soft-deleted; recover it with: az keyvault secret recover --vault-name '$vault' --name '$secret_name'"
      ;;
    *)
      log "could not create secret '$secret_name' in vault '$vault': $output"
      ;;
  esac
  exit 1
done

log "created secret '$secret_name' in vault '$vault' (64 random bytes, base64; value not shown)."
