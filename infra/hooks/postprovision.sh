#!/bin/sh
# Creates the JWT signing key in Key Vault, once.
#
# azd runs this after `azd provision` / `azd up` (see azure.yaml), with the outputs of
# infra/main.bicep in the environment. Without azd, run it by hand after
# `az deployment group create` (infra/README.md shows how).
#
# The kind of key follows JWT_SIGNING_ALGORITHM (output of infra/main.bicep, Jwt__Algorithm):
#   HS256, HS384, HS512: 64 bytes from OpenSSL's CSPRNG, base64-encoded (enough for all three);
#   ES256: a P-256 private key, RS256: an RSA 3072 private key, both PEM PKCS#8 (openssl genpkey).
# It is written to a private temporary file (mode 600, deleted on exit) and uploaded from there:
# it never appears on a command line, in a variable, on the terminal or in a log. The secret's
# content type names the kind, so a later run can tell it without reading the value. When the
# secret already has an enabled version nothing is changed, so re-provisioning never invalidates
# issued tokens; when that version is of the wrong kind for the algorithm (e.g. after switching
# HS256 -> ES256) the script stops and prints the commands that add a version of the right kind.
# Rotation is a deliberate, separate step (infra/README.md, "Rotating the signing key").
#
# Who: the template grants Key Vault Secrets Officer to the principal that deployed it
# (AZURE_DEPLOYER_PRINCIPAL_ID, azd's login). This script talks to the vault through `az`, so
# `az` must be signed in as that same principal; when it is not, the script stops at once and
# names both. With AZURE_DEPLOYER_VAULT_ACCESS=bootstrap it deletes that role assignment again
# once the key exists.
#
# Private mode (AZURE_VNET_ENABLED=true): the vault refuses public traffic. Unless this runs
# inside the virtual network (POSTPROVISION_VAULT_NETWORK=private), the script allows the
# caller's public IP (POSTPROVISION_CLIENT_IP, or asked from https://api.ipify.org) on the vault
# firewall while it works and disables public access again on exit.
set -eu

vault="${AZURE_KEY_VAULT_NAME:?AZURE_KEY_VAULT_NAME is not set; it is an output of infra/main.bicep}"
secret_name="${AZURE_SIGNING_KEY_SECRET_NAME:-jwt-signing-key}"
algorithm="${JWT_SIGNING_ALGORITHM:-HS256}"
deployer="${AZURE_DEPLOYER_PRINCIPAL_ID:-}"
vault_access="${AZURE_DEPLOYER_VAULT_ACCESS:-persistent}"
role_assignment_id="${AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID:-}"
vnet_enabled="${AZURE_VNET_ENABLED:-false}"
vault_network="${POSTPROVISION_VAULT_NETWORK:-public}"
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

# What to create for the algorithm: kind, content type (metadata naming the kind), description,
# and the command an operator runs to make one by hand (new_file is where it writes the key).
case "$algorithm" in
  HS256 | HS384 | HS512)
    key_kind=HMAC
    content_type="base64; HMAC signing key"
    key_description="64 random bytes, base64"
    new_file=new-key.b64
    make_command="openssl rand -base64 64 | tr -d '\\n' >$new_file"
    ;;
  ES256)
    key_kind=ES256
    content_type="application/x-pem-file; ES256 signing key (PKCS#8, EC P-256)"
    key_description="a P-256 private key, PEM PKCS#8"
    new_file=new-key.pem
    make_command="openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $new_file"
    ;;
  RS256)
    key_kind=RS256
    content_type="application/x-pem-file; RS256 signing key (PKCS#8, RSA 3072)"
    key_description="an RSA 3072 private key, PEM PKCS#8"
    new_file=new-key.pem
    make_command="openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out $new_file"
    ;;
  *)
    log "JWT_SIGNING_ALGORITHM is '$algorithm'; it must be HS256, HS384, HS512, ES256 or RS256 (parameter signingAlgorithm of infra/main.bicep)."
    exit 1
    ;;
esac

if [ "$vault_access" = none ]; then
  log "the deployer has no role on vault '$vault' (deployerVaultAccess=none); create secret '$secret_name' as a principal with Key Vault Secrets Officer (infra/README.md, \"The signing key\")."
  exit 0
fi

# Object ID of the principal `az` is signed in as: the oid claim of an access token for Key
# Vault. The token only passes through this pipe; it is never stored, printed or logged.
az_principal() {
  az account get-access-token --resource https://vault.azure.net --query accessToken --output tsv 2>/dev/null \
    | cut -d. -f2 | tr '_-' '/+' \
    | awk '{ n = length($0) % 4; if (n == 2) $0 = $0 "=="; else if (n == 3) $0 = $0 "="; print }' \
    | base64 -d 2>/dev/null \
    | sed -n 's/.*"oid" *: *"\([0-9a-fA-F-]*\)".*/\1/p'
}

if [ -n "$deployer" ]; then
  signed_in=$(az_principal || true)
  if [ -z "$signed_in" ]; then
    log "could not tell which principal 'az' is signed in as; continuing. If this fails with Forbidden, run 'az login' as principal $deployer."
  elif [ "$signed_in" != "$deployer" ]; then
    log "the vault role (Key Vault Secrets Officer on '$vault') was granted to principal $deployer, the one that deployed (azd's login), but 'az' is signed in as $signed_in."
    log "sign 'az' in as the same account as 'azd auth login' (az login, or az login --service-principal for a pipeline), then run: azd hooks run postprovision"
    exit 1
  fi
fi

# Private mode: let the caller's public IP through the vault firewall while this script works.
if [ "$vnet_enabled" = true ] && [ "$vault_network" != private ]; then
  client_ip="${POSTPROVISION_CLIENT_IP:-}"
  if [ -z "$client_ip" ]; then
    if ! command -v curl >/dev/null 2>&1 || ! client_ip=$(curl -fsS --max-time 10 https://api.ipify.org); then
      log "private mode: could not find this machine's public IP; set POSTPROVISION_CLIENT_IP, or run inside the virtual network with POSTPROVISION_VAULT_NETWORK=private."
      exit 1
    fi
  fi
  close_vault() {
    az keyvault network-rule remove --name "$vault" --ip-address "$client_ip/32" --output none >/dev/null 2>&1 || true
    if az keyvault update --name "$vault" --public-network-access Disabled --output none >/dev/null 2>&1; then
      log "private mode: public network access of vault '$vault' is disabled again."
    else
      log "private mode: could not disable public network access of vault '$vault'; run: az keyvault update --name '$vault' --public-network-access Disabled"
    fi
  }
  trap close_vault EXIT
  trap 'exit 1' HUP INT TERM
  log "private mode: allowing $client_ip through the firewall of vault '$vault' while the key is created."
  az keyvault update --name "$vault" --public-network-access Enabled --default-action Deny --bypass None --output none
  az keyvault network-rule add --name "$vault" --ip-address "$client_ip/32" --output none
fi

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

# The kind of key in the newest enabled version (the one the app signs with), from its content
# type: HMAC, ES256, RS256, or unknown (set by hand without one of the content types above).
# Metadata only: no secret value is fetched. The query has a space, so az.cmd gets it quoted.
newest_kind() {
  newest=$(az keyvault secret list-versions --vault-name "$vault" --name "$secret_name" \
    --query "sort_by([?attributes.enabled], &attributes.created)[-1].contentType" --output tsv 2>/dev/null || true)
  case "$newest" in
    *HMAC*) printf 'HMAC\n' ;;
    *ES256*) printf 'ES256\n' ;;
    *RS256*) printf 'RS256\n' ;;
    *) printf 'unknown\n' ;;
  esac
}

# bootstrap mode: the deployer's vault role was only for creating the key.
end_bootstrap() {
  if [ "$vault_access" = bootstrap ] && [ -n "$role_assignment_id" ]; then
    if az role assignment delete --ids "$role_assignment_id" --output none; then
      log "deleted the deployer's Key Vault Secrets Officer assignment on '$vault' (deployerVaultAccess=bootstrap)."
    else
      log "could not delete role assignment $role_assignment_id; delete it with: az role assignment delete --ids '$role_assignment_id'"
      return 1
    fi
  fi
}

enabled=$(count_enabled_versions)
if [ "$enabled" -gt 0 ]; then
  existing=$(newest_kind)
  if [ "$existing" != unknown ] && [ "$existing" != "$key_kind" ]; then
    log "secret '$secret_name' in vault '$vault' holds a $existing key (newest enabled version), but JWT_SIGNING_ALGORITHM is $algorithm: the app refuses that key and issues no tokens."
    log "add a new version of the right kind ($key_description); tokens signed with the old key stop validating (infra/README.md, \"Changing the algorithm\"):"
    log "  (umask 077 && $make_command)"
    log "  az keyvault secret set --vault-name '$vault' --name '$secret_name' --file $new_file --encoding utf-8 --content-type '$content_type' --output none && rm -f $new_file"
    log "then run: azd hooks run postprovision (or set JWT_SIGNING_ALGORITHM back to the key's algorithm and provision again)."
    exit 1
  fi
  log "secret '$secret_name' in vault '$vault' already has $enabled enabled version(s); leaving it unchanged."
  if [ "$existing" = unknown ]; then
    log "its newest version has no content type this hook sets, so its kind was not checked; with $algorithm it must be $key_description."
  fi
  end_bootstrap
  exit 0
fi

umask 077
workdir=$(mktemp -d)
if [ "$vnet_enabled" = true ] && [ "$vault_network" != private ]; then
  trap 'rm -rf "$workdir"; close_vault' EXIT
else
  trap 'rm -rf "$workdir"' EXIT
fi
trap 'exit 1' HUP INT TERM
key_file="$workdir/signing-key"

if [ "$key_kind" = HMAC ]; then
  # 64 random bytes -> 88 base64 characters on one line (openssl wraps at 64 columns).
  openssl rand -base64 64 | tr -d '\n' >"$key_file"
else
  # PKCS#8 PEM (a "BEGIN PRIVATE KEY" block), unencrypted; mode 600 from umask 077.
  case "$key_kind" in
    ES256) set -- -algorithm EC -pkeyopt ec_paramgen_curve:P-256 ;;
    RS256) set -- -algorithm RSA -pkeyopt rsa_keygen_bits:3072 ;;
  esac
  if ! openssl genpkey "$@" -out "$key_file" >/dev/null 2>&1; then
    generator="openssl genpkey $*"
    log "could not make $key_description for $algorithm ($generator)."
    exit 1
  fi
fi

attempt=1
while :; do
  if output=$(az keyvault secret set --vault-name "$vault" --name "$secret_name" \
    --file "$key_file" --encoding utf-8 --content-type "$content_type" \
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

log "created secret '$secret_name' in vault '$vault' ($key_description for $algorithm; value not shown)."
end_bootstrap
