// Every role assignment of the deployment, in one place. Names are guid(scope, principal, role),
// so redeploying finds the same assignment instead of creating a duplicate. The app's principal
// is named by its identity's resource ID, which is known before deployment (its object ID is
// not, and a runtime value in a resource name would blind What-If: what-if-short-circuiting).

@description('Name of the Function App\'s user-assigned identity (in this resource group).')
param appIdentityName string

@description('Object ID of whoever deploys (user or service principal); gets Key Vault Secrets Officer so the postprovision hook can create the signing key. Empty: no assignment.')
param deployerPrincipalId string

@description('False: the deployer gets no role on the vault (the signing key is managed some other way).')
param grantDeployerVaultRole bool

@description('True: the deployer gets Storage Table Data Contributor on the storage account, to create the first admin with tools/Admin; meant to be deleted afterwards.')
param grantDeployerTableRole bool

@description('Name of the storage account used by the app.')
param storageAccountName string

@description('Name of the Key Vault that holds the signing key.')
param keyVaultName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

// Built-in role definitions; their IDs are the same in every tenant.

// Storage Blob Data Owner
resource storageBlobDataOwner 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {
  scope: subscription()
  name: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
}

// Storage Queue Data Contributor
resource storageQueueDataContributor 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {
  scope: subscription()
  name: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
}

// Storage Table Data Contributor
resource storageTableDataContributor 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {
  scope: subscription()
  name: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

// Monitoring Metrics Publisher
resource monitoringMetricsPublisher 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {
  scope: subscription()
  name: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Key Vault Secrets User
resource keyVaultSecretsUser 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {
  scope: subscription()
  name: '4633458b-17de-408a-b874-0445c86b69e6'
}

// Key Vault Secrets Officer
resource keyVaultSecretsOfficer 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {
  scope: subscription()
  name: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

var appPrincipalId = appIdentity.properties.principalId

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Storage Blob Data Owner: the Functions host's blob leases and the deployment package.
resource appBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, storageBlobDataOwner.id)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: storageBlobDataOwner.id
  }
}

// Storage Queue Data Contributor: the Functions host's queues.
resource appQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, storageQueueDataContributor.id)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: storageQueueDataContributor.id
  }
}

// Storage Table Data Contributor: the app's users and refresh-token tables.
resource appTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, storageTableDataContributor.id)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: storageTableDataContributor.id
  }
}

// Monitoring Metrics Publisher: Entra ID-authenticated telemetry into Application Insights.
resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appIdentity.id, monitoringMetricsPublisher.id)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: monitoringMetricsPublisher.id
  }
}

// Key Vault Secrets User, on the vault only: the app reads the signing key's versions.
resource appKeyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, keyVaultSecretsUser.id)
  scope: vault
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: keyVaultSecretsUser.id
  }
}

// Key Vault Secrets Officer, on the vault only, for the deployer: the postprovision hook
// creates the signing key, and key rotation adds versions. Not granted to the app. With
// deployerVaultAccess 'bootstrap' the hook deletes this assignment again once the key exists.
resource deployerKeyVaultSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerVaultRole && !empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, keyVaultSecretsOfficer.id)
  scope: vault
  properties: {
    principalId: deployerPrincipalId
    roleDefinitionId: keyVaultSecretsOfficer.id
  }
}

@description('Resource ID of the deployer\'s Key Vault Secrets Officer assignment (what the hook deletes in bootstrap mode); empty when none is made.')
output deployerVaultRoleAssignmentId string = grantDeployerVaultRole && !empty(deployerPrincipalId)
  ? deployerKeyVaultSecretsOfficer.id
  : ''

// Storage Table Data Contributor, on the storage account only, for the deployer: the admin tool
// (tools/Admin, with the deployer's Azure sign-in) creates the first admin in the users' table.
// Temporary: README, "After deploy: create the first admin", deletes it once the admin exists.
resource deployerTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerTableRole && !empty(deployerPrincipalId)) {
  name: guid(storage.id, deployerPrincipalId, storageTableDataContributor.id)
  scope: storage
  properties: {
    principalId: deployerPrincipalId
    roleDefinitionId: storageTableDataContributor.id
  }
}

@description('Resource ID of the deployer\'s Storage Table Data Contributor assignment (to delete once the first admin exists); empty when none is made.')
output deployerTableRoleAssignmentId string = grantDeployerTableRole && !empty(deployerPrincipalId)
  ? deployerTableDataContributor.id
  : ''
