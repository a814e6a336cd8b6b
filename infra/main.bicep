// JwtFunctions: Function App (Flex Consumption) that issues and validates JWTs, with its storage,
// Key Vault (HMAC signing key), monitoring, and the role assignments that connect them.
// Deploy with `azd up`, or `az deployment group create` + infra/hooks/postprovision.sh
// (see infra/README.md). No secret is created, passed or returned by this template.

targetScope = 'resourceGroup'

import { tagsType } from 'modules/types.bicep'

@description('Name of the azd environment; part of every resource name and the azd-env-name tag.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region of every resource. Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Object ID of the deploying user or service principal. It gets Key Vault Secrets Officer on the vault so the postprovision hook can create the signing key. Empty: no assignment.')
param deployerPrincipalId string = deployer().objectId

@description('Name of the Key Vault secret that holds the HMAC signing key (SigningKeys__SecretName).')
@minLength(1)
@maxLength(127)
param signingKeySecretName string = 'jwt-signing-key'

@description('The iss claim the app writes and requires (Jwt__Issuer).')
@minLength(1)
param jwtIssuer string = 'jwtfunctions'

@description('The aud claim the app writes and requires (Jwt__Audience).')
@minLength(1)
param jwtAudience string = 'jwtfunctions-api'

@description('Whether POST /api/v1.0/register creates accounts (Accounts__RegistrationEnabled). Off in Azure unless chosen.')
param registrationEnabled bool = false

@description('Highest number of instances the Function App scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

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
var keyVaultName = 'kv-${resourceToken}'
var logAnalyticsName = 'log-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'

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
  }
}

module keyVault 'modules/key-vault.bicep' = {
  params: {
    name: keyVaultName
    location: location
    tags: tags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module roleAssignments 'modules/role-assignments.bicep' = {
  params: {
    appIdentityName: identityName
    deployerPrincipalId: deployerPrincipalId
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
  Jwt__Issuer: jwtIssuer
  Jwt__Audience: jwtAudience
  Accounts__RegistrationEnabled: registrationEnabled ? 'true' : 'false'
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
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
  // The app must not start before its identity may read storage, the vault and telemetry.
  dependsOn: [
    roleAssignments
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

@description('Name of the storage account.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Client ID of the app\'s user-assigned identity.')
output AZURE_FUNCTION_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('Name of the Application Insights component.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
