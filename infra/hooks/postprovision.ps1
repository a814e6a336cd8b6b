#!/usr/bin/env pwsh
# Windows twin of postprovision.sh: creates the JWT signing key in Key Vault, once.
#
# azd runs this after `azd provision` / `azd up` on Windows (see azure.yaml), with the outputs of
# infra/main.bicep in the environment. The key is 64 bytes from the .NET CSPRNG
# (RandomNumberGenerator), base64-encoded, uploaded from a temporary file that only the current
# user can read and that is deleted afterwards. It is never printed. When the secret already has
# an enabled version nothing is changed, so re-provisioning never invalidates issued tokens.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$vault = $env:AZURE_KEY_VAULT_NAME
if ([string]::IsNullOrWhiteSpace($vault)) {
    throw 'AZURE_KEY_VAULT_NAME is not set; it is an output of infra/main.bicep.'
}
$secretName = if ([string]::IsNullOrWhiteSpace($env:AZURE_SIGNING_KEY_SECRET_NAME)) { 'jwt-signing-key' } else { $env:AZURE_SIGNING_KEY_SECRET_NAME }
$maxAttempts = 20
$delaySeconds = 15

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    throw "'az' (Azure CLI) is required but was not found on PATH."
}

function Test-PropagationDelay([string] $text) {
    return $text -match 'Forbidden|does not have secrets|Caller is not authorized'
}

# Number of enabled versions; lists metadata only, no secret value is fetched.
$enabled = $null
for ($attempt = 1; $null -eq $enabled; $attempt++) {
    $output = az keyvault secret list-versions --vault-name $vault --name $secretName --query 'length([?attributes.enabled])' --output tsv 2>&1 | Out-String
    if ($LASTEXITCODE -eq 0) {
        $enabled = if ([string]::IsNullOrWhiteSpace($output)) { 0 } else { [int]$output.Trim() }
    }
    elseif ($output -match 'SecretNotFound|not found') {
        $enabled = 0
    }
    elseif ((Test-PropagationDelay $output) -and $attempt -lt $maxAttempts) {
        Write-Host "postprovision: no access to vault '$vault' yet (role assignment still propagating); retrying in ${delaySeconds}s ($attempt/$maxAttempts)."
        Start-Sleep -Seconds $delaySeconds
    }
    else {
        throw "postprovision: could not list versions of secret '$secretName' in vault '$vault': $output"
    }
}

if ($enabled -gt 0) {
    Write-Host "postprovision: secret '$secretName' in vault '$vault' already has $enabled enabled version(s); leaving it unchanged."
    exit 0
}

$workDir = Join-Path ([System.IO.Path]::GetTempPath()) ([System.IO.Path]::GetRandomFileName())
$directory = [System.IO.Directory]::CreateDirectory($workDir)
try {
    if (-not $IsWindows) {
        # Owner-only permissions before the key is written.
        [System.IO.File]::SetUnixFileMode($directory.FullName, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    }
    $keyFile = Join-Path $workDir 'signing-key'
    $bytes = [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(64)
    try {
        [System.IO.File]::WriteAllText($keyFile, [Convert]::ToBase64String($bytes))
    }
    finally {
        [Array]::Clear($bytes, 0, $bytes.Length)
    }

    for ($attempt = 1; ; $attempt++) {
        $output = az keyvault secret set --vault-name $vault --name $secretName --file $keyFile --encoding utf-8 --content-type 'base64; HMAC signing key' --output none 2>&1 | Out-String
        if ($LASTEXITCODE -eq 0) { break }
        if ((Test-PropagationDelay $output) -and $attempt -lt $maxAttempts) {
            Write-Host "postprovision: no write access to vault '$vault' yet; retrying in ${delaySeconds}s ($attempt/$maxAttempts)."
            Start-Sleep -Seconds $delaySeconds
            continue
        }
        if ($output -match 'ObjectIsDeletedButRecoverable') {
            throw "postprovision: secret '$secretName' is soft-deleted; recover it with: az keyvault secret recover --vault-name '$vault' --name '$secretName'"
        }
        throw "postprovision: could not create secret '$secretName' in vault '$vault': $output"
    }
}
finally {
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction SilentlyContinue
}

Write-Host "postprovision: created secret '$secretName' in vault '$vault' (64 random bytes, base64; value not shown)."
