// JwtFunctions: Function App (Flex Consumption) that issues and validates JWTs, with its storage,
// Key Vault (signing key: HMAC secret or PEM private key), monitoring, and the role assignments that connect them.
// Deploy with `azd up`, or `az deployment group create` + infra/hooks/postprovision.sh
// (see infra/README.md). No secret is created, passed or returned by this template.

targetScope = 'resourceGroup'

import { tagsType } from 'modules/types.bicep'

@description('Name of the azd environment; part of every resource name and the azd-env-name tag.')
@minLength(1)
@maxLength(64)
param environmentName string

// Regions that offer Flex Consumption with dotnet-isolated 10.0: the list of
// Azure-Samples/functions-quickstart-dotnet-azd (infra/main.bicep at fe74255, 2026-02-24; the
// list itself dates from 2025-05-05 and was kept when that sample moved to .NET 10.0 on
// 2026-02-21), without the canary region eastus2euap. Check a region with
// `az functionapp list-flexconsumption-locations` (infra/README.md, "Regions").
@description('Azure region of every resource: one that offers Flex Consumption with .NET 10 (isolated). azd passes AZURE_LOCATION.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object ID of the deploying user or service principal (azd\'s or az\'s login). It gets Key Vault Secrets Officer on the vault so the postprovision hook can create the signing key. Empty: no assignment.')
param deployerPrincipalId string = deployer().objectId

@description('How long the deployer keeps Key Vault Secrets Officer: persistent (kept for key rotation), bootstrap (the postprovision hook deletes the assignment once the signing key exists; each provision grants it again for the hook\'s run), none (never granted; create the key another way).')
@allowed([
  'persistent'
  'bootstrap'
  'none'
])
param deployerVaultAccess string = 'persistent'

@description('True: the deployer (deployerPrincipalId) gets Storage Table Data Contributor on the storage account, so it can create the first admin with tools/Admin (README, "After deploy: create the first admin"). Temporary: delete the assignment (output AZURE_DEPLOYER_TABLE_ROLE_ASSIGNMENT_ID) once the admin exists and set this to false, or provisioning grants it again.')
param grantDeployerTableRole bool = true

@description('Private mode: VNet integration for the app, private endpoints and private DNS zones for blob, queue, table and the vault, public network access disabled on storage and vault.')
param vnetEnabled bool = false

@description('Changes the Key Vault name. A vault deleted with `azd down --purge` stays soft-deleted (purge protection) and keeps its name; set a new salt to deploy the same environment again (infra/README.md, "Tearing down and deploying again"). Empty: the original name.')
@maxLength(64)
param keyVaultNameSalt string = ''

@description('Origins allowed to call the app from a browser (CORS), e.g. https://app.example.com. No wildcard. Empty: none.')
param corsAllowedOrigins string[] = []

@description('Whether browsers may send credentials (cookies) from those origins: Access-Control-Allow-Credentials: true. Needed by cookie mode (Jwt__TokenLocation=cookies); not by Authorization-header clients. Never with a wildcard origin.')
param corsSupportCredentials bool = false

@description('Name of the Key Vault secret that holds the signing key (SigningKeys__SecretName).')
@minLength(1)
@maxLength(127)
param signingKeySecretName string = 'jwt-signing-key'

@description('The JWS algorithm the app signs and accepts (Jwt__Algorithm). HS256/HS384/HS512: a shared secret (base64 of 64 random bytes). ES256 (P-256) / RS256 (RSA 3072): a PEM PKCS#8 private key, the public keys published as JWKS so any API can verify; Jwt__Issuer is then the app\'s public base URL. The postprovision hook creates the matching key.')
@allowed([
  'HS256'
  'HS384'
  'HS512'
  'ES256'
  'RS256'
])
param signingAlgorithm string = 'HS256'

@description('The iss claim the app writes and requires (Jwt__Issuer) with HS256/HS384/HS512. With ES256/RS256 it is not used: the issuer is the app\'s public base URL, https://<app>.azurewebsites.net/api.')
@minLength(1)
param jwtIssuer string = 'jwtfunctions'

@description('The aud claim the app writes and requires (Jwt__Audience).')
@minLength(1)
param jwtAudience string = 'jwtfunctions-api'

@description('Whether POST /api/v1.0/register creates accounts (Accounts__RegistrationEnabled). Off in Azure unless chosen.')
param registrationEnabled bool = false

@description('Highest number of instances the Function App scales out to (Flex Consumption: 1-1000).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Concurrent HTTP requests per instance before the platform adds an instance (the Flex default for 2048 MB is 16).')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Largest request body (bytes) the Functions host accepts before the app sees it (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT; host default 100 MB). The app itself rejects bodies over 16 KiB.')
@minValue(16384)
@maxValue(1048576)
param requestBodySizeLimitBytes int = 32768

@description('Replication of the storage account. Regions without availability zones need Standard_LRS or Standard_GRS.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_ZRS'

@description('Days a deleted blob or container stays recoverable.')
@minValue(1)
@maxValue(365)
param storageDeleteRetentionInDays int = 7

@description('Memory of each Function App instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Days a deleted Key Vault or secret stays recoverable (7-90). Fixed once the vault exists.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Days that Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Extra tags for every resource; azd-env-name is always added.')
param extraTags tagsType = {}

var resourceToken = toLower(uniqueString(resourceGroup().id, environmentName, location))
var tags = union(extraTags, { 'azd-env-name': environmentName })
var serviceName = 'api'
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var identityName = 'id-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = empty(keyVaultNameSalt)
  ? 'kv-${resourceToken}'
  : 'kv-${toLower(uniqueString(resourceGroup().id, environmentName, location, keyVaultNameSalt))}'
var virtualNetworkName = 'vnet-${resourceToken}'
var logAnalyticsName = 'log-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'

// ES256 / RS256: verifiers find the public keys at <issuer>/.well-known/openid-configuration, so
// the issuer is the app's public base URL with the route prefix of host.json ("api"), no trailing
// slash. It is built from the site name rather than read from the site (defaultHostName): the
// site's own siteConfig.appSettings cannot reference the site (a circular reference), and moving
// the settings to a separate Microsoft.Web/sites/config 'appsettings' resource would replace the
// whole set after the site was created with it (a second restart, settings in two places). A site
// that sets no autoGeneratedDomainNameLabelScope (this one; tests/Infra.Tests checks it) gets the
// default host name <name>.azurewebsites.net in Azure's public cloud.
var isAsymmetricAlgorithm = contains(['ES256', 'RS256'], signingAlgorithm)
var functionAppHostName = '${functionAppName}.azurewebsites.net'
var effectiveJwtIssuer = isAsymmetricAlgorithm ? 'https://${functionAppHostName}/api' : jwtIssuer

module identity 'modules/identity.bicep' = {
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  params: {
    name: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    skuName: storageSkuName
    deleteRetentionInDays: storageDeleteRetentionInDays
    privateOnly: vnetEnabled
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module keyVault 'modules/key-vault.bicep' = {
  params: {
    name: keyVaultName
    location: location
    tags: tags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    privateOnly: vnetEnabled
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  params: {
    name: virtualNetworkName
    location: location
    tags: tags
  }
}

module privateEndpoints 'modules/private-endpoints.bicep' = if (vnetEnabled) {
  params: {
    location: location
    tags: tags
    virtualNetworkId: network!.outputs.id
    subnetId: network!.outputs.privateEndpointSubnetId
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    nameSuffix: resourceToken
  }
  // Names are known up front (for What-If); the account and vault must exist first.
  dependsOn: [
    storage
    keyVault
  ]
}

module roleAssignments 'modules/role-assignments.bicep' = {
  params: {
    appIdentityName: identityName
    deployerPrincipalId: deployerPrincipalId
    grantDeployerVaultRole: deployerVaultAccess != 'none'
    grantDeployerTableRole: grantDeployerTableRole
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    applicationInsightsName: applicationInsightsName
  }
  // Names are known up front (for What-If); the resources must exist first.
  dependsOn: [
    identity
    storage
    keyVault
    monitoring
  ]
}

// Setting names follow the options classes the app binds (SigningKeyOptions, JwtOptions,
// AccountOptions); tests/Infra.Tests fails when they drift apart.
var appSettings = {
  // The host's storage, by identity: no connection string, no account key.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  // Telemetry with Entra ID authentication (the component refuses instrumentation-key-only ingestion).
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  // DefaultAzureCredential picks the user-assigned identity.
  AZURE_CLIENT_ID: identity.outputs.clientId
  // Where the signing key lives; the key itself never passes through the template.
  SigningKeys__VaultUri: keyVault.outputs.uri
  SigningKeys__SecretName: signingKeySecretName
  SigningKeys__ManagedIdentityClientId: identity.outputs.clientId
  // ES256 / RS256: a new key version is only published (JWKS) for 15 minutes before it signs, so
  // verifiers that cache the JWKS have it first; HS*: nobody caches it, a new version signs at once.
  SigningKeys__ActivationDelay: isAsymmetricAlgorithm ? '00:15:00' : '00:00:00'
  Jwt__Algorithm: signingAlgorithm
  Jwt__Issuer: effectiveJwtIssuer
  Jwt__Audience: jwtAudience
  Accounts__RegistrationEnabled: registrationEnabled ? 'true' : 'false'
  // The Cleanup timer's schedule (the function's %Cleanup:Schedule%): every 10 minutes.
  Cleanup__Schedule: '0 */10 * * * *'
  // The host refuses larger bodies before buffering them (the app checks 16 KiB after that).
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: string(requestBodySizeLimitBytes)
  // No default landing page at the site root.
  AzureWebJobsDisableHomepage: 'true'
}

module functionApp 'modules/function-app.bicep' = {
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    serviceName: serviceName
    identityName: identityName
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appSettings: appSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    corsAllowedOrigins: corsAllowedOrigins
    corsSupportCredentials: corsSupportCredentials
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
  // The app must not start before its identity may read storage, the vault and telemetry, nor
  // (private mode) before the private endpoints resolve.
  dependsOn: [
    roleAssignments
    privateEndpoints
  ]
}

@description('Region of the deployment.')
output AZURE_LOCATION string = location

@description('Tenant of the deployment.')
output AZURE_TENANT_ID string = tenant().tenantId

@description('Name of the Function App.')
output AZURE_FUNCTION_NAME string = functionApp.outputs.name

@description('HTTPS base URI of the Function App.')
output AZURE_FUNCTION_URI string = functionApp.outputs.uri

@description('URI of the Key Vault that holds the signing key.')
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri

@description('Name of the Key Vault that holds the signing key.')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('Name of the signing key secret (the name only, never its value).')
output AZURE_SIGNING_KEY_SECRET_NAME string = signingKeySecretName

@description('Jwt__Algorithm: the postprovision hook creates a signing key of this kind (HS*: base64 of 64 random bytes; ES256: P-256, RS256: RSA 3072, PEM PKCS#8).')
output JWT_SIGNING_ALGORITHM string = signingAlgorithm

@description('Jwt__Issuer, the iss claim; with ES256/RS256 verifiers read <issuer>/.well-known/openid-configuration.')
output JWT_ISSUER string = effectiveJwtIssuer

@description('Name of the storage account.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Table endpoint of the storage account (the users\' tables): tools/Admin --table-endpoint.')
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint

@description('Resource ID of the deployer\'s Storage Table Data Contributor assignment (delete it once the first admin exists); empty when none is made.')
output AZURE_DEPLOYER_TABLE_ROLE_ASSIGNMENT_ID string = roleAssignments.outputs.deployerTableRoleAssignmentId

@description('Object ID of the principal that got Key Vault Secrets Officer (the postprovision hook must run as it).')
output AZURE_DEPLOYER_PRINCIPAL_ID string = deployerVaultAccess == 'none' ? '' : deployerPrincipalId

@description('persistent, bootstrap or none: whether the hook deletes the deployer\'s vault role after creating the key.')
output AZURE_DEPLOYER_VAULT_ACCESS string = deployerVaultAccess

@description('Resource ID of the deployer\'s vault role assignment (deleted by the hook in bootstrap mode).')
output AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID string = roleAssignments.outputs.deployerVaultRoleAssignmentId

@description('Whether storage and the vault are private (the hook opens the vault to the deployer\'s IP while it creates the key).')
output AZURE_VNET_ENABLED bool = vnetEnabled

@description('Client ID of the app\'s user-assigned identity.')
output AZURE_FUNCTION_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('Name of the Application Insights component.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
