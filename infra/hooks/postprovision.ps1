#!/usr/bin/env pwsh
#Requires -Version 7.0
# Windows twin of postprovision.sh: creates the JWT signing key in Key Vault, once. The two hooks
# do the same things in the same order and print the same messages; change them together.
#
# azd runs this after `azd provision` / `azd up` on Windows (see azure.yaml), with the outputs of
# infra/main.bicep in the environment. Without azd, run it by hand after
# `az deployment group create` (infra/README.md shows how).
#
# The kind of key follows JWT_SIGNING_ALGORITHM (output of infra/main.bicep, Jwt__Algorithm):
#   HS256, HS384, HS512: 64 bytes from the .NET CSPRNG (RandomNumberGenerator), base64-encoded;
#   ES256: a P-256 private key, RS256: an RSA 3072 private key, both PEM PKCS#8 (.NET ECDsa / RSA,
#   the same kind of key as openssl genpkey in the sh hook).
# It is written to a temporary file that only the current user can read (mode 600 off Windows),
# uploaded from there and deleted. It never appears on a command line, on the terminal or in a
# log. The secret's content type names the kind, so a later run can tell it without reading the
# value. When the secret already has an enabled version nothing is changed, so re-provisioning
# never invalidates issued tokens; when that version is of the wrong kind for the algorithm (e.g.
# after switching HS256 -> ES256) the script stops and prints the commands that add a version of
# the right kind. Rotation is a deliberate, separate step (infra/README.md, "Rotating the signing key").
#
# Who: the template grants Key Vault Secrets Officer to the principal that deployed it
# (AZURE_DEPLOYER_PRINCIPAL_ID, azd's login). This script talks to the vault through `az`, so
# `az` must be signed in as that same principal; when it is not, the script stops at once and
# names both. With AZURE_DEPLOYER_VAULT_ACCESS=bootstrap it deletes that role assignment again
# once the key exists; with none it changes nothing and says who must create the key.
#
# Private mode (AZURE_VNET_ENABLED=true): the vault refuses public traffic. Unless this runs
# inside the virtual network (POSTPROVISION_VAULT_NETWORK=private), the script allows the
# caller's public IP (POSTPROVISION_CLIENT_IP, or asked from https://api.ipify.org) on the vault
# firewall while it works and disables public access again on exit (a finally block), also when
# it fails.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# Exit codes of `az` are checked by hand below.
$PSNativeCommandUseErrorActionPreference = $false

function Write-Log([string] $message) {
    [Console]::Error.WriteLine("postprovision: $message")
}

# ${NAME:-default} of the sh hook: unset and empty both mean the default.
function Get-OrDefault([string] $value, [string] $default) {
    if ([string]::IsNullOrEmpty($value)) { $default } else { $value }
}

$vault = Get-OrDefault $env:AZURE_KEY_VAULT_NAME ''
if ([string]::IsNullOrEmpty($vault)) {
    Write-Log 'AZURE_KEY_VAULT_NAME is not set; it is an output of infra/main.bicep'
    exit 1
}
$secretName = Get-OrDefault $env:AZURE_SIGNING_KEY_SECRET_NAME 'jwt-signing-key'
$algorithm = Get-OrDefault $env:JWT_SIGNING_ALGORITHM 'HS256'
$deployer = Get-OrDefault $env:AZURE_DEPLOYER_PRINCIPAL_ID ''
$vaultAccess = Get-OrDefault $env:AZURE_DEPLOYER_VAULT_ACCESS 'persistent'
$roleAssignmentId = Get-OrDefault $env:AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID ''
$vnetEnabled = Get-OrDefault $env:AZURE_VNET_ENABLED 'false'
$vaultNetwork = Get-OrDefault $env:POSTPROVISION_VAULT_NETWORK 'public'
$maxAttempts = [int](Get-OrDefault $env:POSTPROVISION_MAX_ATTEMPTS '20')
$delaySeconds = [int](Get-OrDefault $env:POSTPROVISION_RETRY_SECONDS '15')

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    Write-Log "'az' is required but was not found on PATH."
    exit 1
}

# What to create for the algorithm: kind, content type (metadata naming the kind), description,
# and the command an operator runs to make one by hand ($newFile is where it writes the key).
switch -CaseSensitive ($algorithm) {
    { $_ -cin 'HS256', 'HS384', 'HS512' } {
        $keyKind = 'HMAC'
        $contentType = 'base64; HMAC signing key'
        $keyDescription = '64 random bytes, base64'
        $newFile = 'new-key.b64'
        $makeCommand = "openssl rand -base64 64 | tr -d '\n' >$newFile"
        break
    }
    'ES256' {
        $keyKind = 'ES256'
        $contentType = 'application/x-pem-file; ES256 signing key (PKCS#8, EC P-256)'
        $keyDescription = 'a P-256 private key, PEM PKCS#8'
        $newFile = 'new-key.pem'
        $makeCommand = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $newFile"
        break
    }
    'RS256' {
        $keyKind = 'RS256'
        $contentType = 'application/x-pem-file; RS256 signing key (PKCS#8, RSA 3072)'
        $keyDescription = 'an RSA 3072 private key, PEM PKCS#8'
        $newFile = 'new-key.pem'
        $makeCommand = "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out $newFile"
        break
    }
    default {
        Write-Log "JWT_SIGNING_ALGORITHM is '$algorithm'; it must be HS256, HS384, HS512, ES256 or RS256 (parameter signingAlgorithm of infra/main.bicep)."
        exit 1
    }
}

if ($vaultAccess -eq 'none') {
    Write-Log "the deployer has no role on vault '$vault' (deployerVaultAccess=none); create secret '$secretName' as a principal with Key Vault Secrets Officer (infra/README.md, `"The signing key`")."
    exit 0
}

# Object ID of the principal `az` is signed in as: the oid claim of an access token for Key
# Vault. The token only passes through this pipeline; it is never stored, printed or logged.
function Get-AzPrincipal {
    try {
        az account get-access-token --resource https://vault.azure.net --query accessToken --output tsv 2>$null |
            Select-Object -First 1 |
            ForEach-Object { $_.Trim().Split('.')[1].Replace('-', '+').Replace('_', '/') } |
            ForEach-Object { $_.PadRight($_.Length + (4 - $_.Length % 4) % 4, '=') } |
            ForEach-Object { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($_)) } |
            ForEach-Object { (ConvertFrom-Json -InputObject $_).oid } |
            Where-Object { $_ -is [string] -and $_ -match '^[0-9a-fA-F-]+$' }
    }
    catch {
        $null
    }
}

if ($deployer) {
    $signedIn = Get-AzPrincipal
    if (-not $signedIn) {
        Write-Log "could not tell which principal 'az' is signed in as; continuing. If this fails with Forbidden, run 'az login' as principal $deployer."
    }
    elseif ($signedIn -ne $deployer) {
        Write-Log "the vault role (Key Vault Secrets Officer on '$vault') was granted to principal $deployer, the one that deployed (azd's login), but 'az' is signed in as $signedIn."
        Write-Log "sign 'az' in as the same account as 'azd auth login' (az login, or az login --service-principal for a pipeline), then run: azd hooks run postprovision"
        exit 1
    }
}

# Role assignments (Key Vault Secrets Officer for the deployer) can take a few minutes to
# apply after provisioning, so "Forbidden" is retried for a while.
function Test-PropagationDelay([string] $text) {
    return $text -cmatch 'Forbidden|does not have secrets|Caller is not authorized'
}

# Number of enabled versions of the secret, or $null on failure (already logged). Lists
# metadata only: no secret value is fetched.
function Get-EnabledVersionCount {
    for ($attempt = 1; ; $attempt++) {
        $output = az keyvault secret list-versions --vault-name $vault --name $secretName --query 'length([?attributes.enabled])' --output tsv 2>&1 | Out-String
        if ($LASTEXITCODE -eq 0) {
            if ([string]::IsNullOrWhiteSpace($output)) { return 0 }
            return [int]$output.Trim()
        }
        if ($output -cmatch 'SecretNotFound|not found') {
            return 0
        }
        if ((Test-PropagationDelay $output) -and $attempt -lt $maxAttempts) {
            Write-Log "no access to vault '$vault' yet (role assignment still propagating); retrying in ${delaySeconds}s ($attempt/$maxAttempts)."
            Start-Sleep -Seconds $delaySeconds
            continue
        }
        Write-Log "could not list versions of secret '$secretName' in vault '$vault': $($output.Trim())"
        return $null
    }
}

# The kind of key in the newest enabled version (the one the app signs with), from its content
# type: HMAC, ES256, RS256, or unknown (set by hand without one of the content types above).
# Metadata only: no secret value is fetched. The query has a space, so az.cmd gets it quoted.
function Get-NewestKind {
    $newest = az keyvault secret list-versions --vault-name $vault --name $secretName --query 'sort_by([?attributes.enabled], &attributes.created)[-1].contentType' --output tsv 2>$null | Out-String
    if ($LASTEXITCODE -ne 0) { $newest = '' }
    if ($newest -cmatch 'HMAC') { return 'HMAC' }
    if ($newest -cmatch 'ES256') { return 'ES256' }
    if ($newest -cmatch 'RS256') { return 'RS256' }
    return 'unknown'
}

# The key, written to a new file only the current user can read (mode 600 off Windows).
function Write-PrivateFile([string] $path, [string] $text) {
    $options = [System.IO.FileStreamOptions]::new()
    $options.Mode = [System.IO.FileMode]::CreateNew
    $options.Access = [System.IO.FileAccess]::Write
    if (-not $IsWindows) {
        $options.UnixCreateMode = [System.IO.UnixFileMode]'UserRead, UserWrite'
    }
    $writer = [System.IO.StreamWriter]::new($path, [System.Text.UTF8Encoding]::new($false), $options)
    try {
        $writer.Write($text)
    }
    finally {
        $writer.Dispose()
    }
}

# bootstrap mode: the deployer's vault role was only for creating the key. $false on failure.
function Complete-Bootstrap {
    if ($vaultAccess -eq 'bootstrap' -and $roleAssignmentId) {
        az role assignment delete --ids $roleAssignmentId --output none | Out-Null
        if ($LASTEXITCODE -eq 0) {
            Write-Log "deleted the deployer's Key Vault Secrets Officer assignment on '$vault' (deployerVaultAccess=bootstrap)."
        }
        else {
            Write-Log "could not delete role assignment $roleAssignmentId; delete it with: az role assignment delete --ids '$roleAssignmentId'"
            return $false
        }
    }
    return $true
}

# Private mode: let the caller's public IP through the vault firewall while this script works.
$openFirewall = $vnetEnabled -eq 'true' -and $vaultNetwork -ne 'private'
$clientIp = $null
if ($openFirewall) {
    $clientIp = Get-OrDefault $env:POSTPROVISION_CLIENT_IP ''
    if (-not $clientIp) {
        try {
            $clientIp = [string](Invoke-RestMethod -Uri 'https://api.ipify.org' -TimeoutSec 10)
            $clientIp = $clientIp.Trim()
        }
        catch {
            $clientIp = $null
        }
        if (-not $clientIp) {
            Write-Log "private mode: could not find this machine's public IP; set POSTPROVISION_CLIENT_IP, or run inside the virtual network with POSTPROVISION_VAULT_NETWORK=private."
            exit 1
        }
    }
}

$workDir = $null
try {
    if ($openFirewall) {
        Write-Log "private mode: allowing $clientIp through the firewall of vault '$vault' while the key is created."
        az keyvault update --name $vault --public-network-access Enabled --default-action Deny --bypass None --output none
        if ($LASTEXITCODE -ne 0) { exit 1 }
        az keyvault network-rule add --name $vault --ip-address "$clientIp/32" --output none
        if ($LASTEXITCODE -ne 0) { exit 1 }
    }

    $enabled = Get-EnabledVersionCount
    if ($null -eq $enabled) { exit 1 }
    if ($enabled -gt 0) {
        $existing = Get-NewestKind
        if ($existing -ne 'unknown' -and $existing -ne $keyKind) {
            Write-Log "secret '$secretName' in vault '$vault' holds a $existing key (newest enabled version), but JWT_SIGNING_ALGORITHM is ${algorithm}: the app refuses that key and issues no tokens."
            Write-Log "add a new version of the right kind ($keyDescription); tokens signed with the old key stop validating (infra/README.md, `"Changing the algorithm`"):"
            Write-Log "  (umask 077 && $makeCommand)"
            Write-Log "  az keyvault secret set --vault-name '$vault' --name '$secretName' --file $newFile --encoding utf-8 --content-type '$contentType' --output none && rm -f $newFile"
            Write-Log "then run: azd hooks run postprovision (or set JWT_SIGNING_ALGORITHM back to the key's algorithm and provision again)."
            exit 1
        }
        Write-Log "secret '$secretName' in vault '$vault' already has $enabled enabled version(s); leaving it unchanged."
        if ($existing -eq 'unknown') {
            Write-Log "its newest version has no content type this hook sets, so its kind was not checked; with $algorithm it must be $keyDescription."
        }
        if (-not (Complete-Bootstrap)) { exit 1 }
        exit 0
    }

    $workDir = Join-Path ([System.IO.Path]::GetTempPath()) ([System.IO.Path]::GetRandomFileName())
    if ($IsWindows) {
        # %TEMP% is under the user's profile, which only that user (and administrators) can read.
        [void][System.IO.Directory]::CreateDirectory($workDir)
    }
    else {
        # Owner-only from the start, like umask 077 in the sh hook.
        [void][System.IO.Directory]::CreateDirectory($workDir, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    }
    $keyFile = Join-Path $workDir 'signing-key'
    if ($keyKind -eq 'HMAC') {
        # 64 random bytes -> 88 base64 characters on one line, no newline.
        $bytes = [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(64)
        try {
            Write-PrivateFile $keyFile ([Convert]::ToBase64String($bytes))
        }
        finally {
            [Array]::Clear($bytes, 0, $bytes.Length)
        }
    }
    else {
        # PKCS#8 PEM (a "BEGIN PRIVATE KEY" block), unencrypted.
        try {
            $key = if ($keyKind -eq 'ES256') {
                [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
            }
            else {
                [System.Security.Cryptography.RSA]::Create(3072)
            }
        }
        catch {
            $generator = ".NET $($_.Exception.GetType().Name)"
            Write-Log "could not make $keyDescription for $algorithm ($generator)."
            exit 1
        }
        try {
            Write-PrivateFile $keyFile $key.ExportPkcs8PrivateKeyPem()
        }
        finally {
            $key.Dispose()
        }
    }

    for ($attempt = 1; ; $attempt++) {
        $output = az keyvault secret set --vault-name $vault --name $secretName --file $keyFile --encoding utf-8 --content-type $contentType --output none 2>&1 | Out-String
        if ($LASTEXITCODE -eq 0) { break }
        if ((Test-PropagationDelay $output) -and $attempt -lt $maxAttempts) {
            Write-Log "no write access to vault '$vault' yet; retrying in ${delaySeconds}s ($attempt/$maxAttempts)."
            Start-Sleep -Seconds $delaySeconds
            continue
        }
        if ($output -cmatch 'ObjectIsDeletedButRecoverable') {
            Write-Log "secret '$secretName' is soft-deleted; recover it with: az keyvault secret recover --vault-name '$vault' --name '$secretName'"
        }
        else {
            Write-Log "could not create secret '$secretName' in vault '$vault': $($output.Trim())"
        }
        exit 1
    }

    Write-Log "created secret '$secretName' in vault '$vault' ($keyDescription for $algorithm; value not shown)."
    if (-not (Complete-Bootstrap)) { exit 1 }
}
finally {
    if ($workDir) {
        Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction SilentlyContinue
    }
    if ($openFirewall) {
        az keyvault network-rule remove --name $vault --ip-address "$clientIp/32" --output none 2>$null | Out-Null
        az keyvault update --name $vault --public-network-access Disabled --output none 2>$null | Out-Null
        if ($LASTEXITCODE -eq 0) {
            Write-Log "private mode: public network access of vault '$vault' is disabled again."
        }
        else {
            Write-Log "private mode: could not disable public network access of vault '$vault'; run: az keyvault update --name '$vault' --public-network-access Disabled"
        }
    }
}
