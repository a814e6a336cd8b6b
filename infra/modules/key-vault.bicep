// Key Vault that holds the HMAC signing key. Access is by Azure RBAC only (no access policies);
// soft delete and purge protection keep a deleted key recoverable. The secret itself is NOT
// created here: Bicep has no cryptographic random source, so infra/hooks/postprovision.sh
// creates it once, from openssl, after provisioning. With privateOnly the vault is reachable only
// through its private endpoint (the hook then opens it to the deployer's IP for a moment).

import { tagsType } from 'types.bicep'

@description('Name of the vault (3-24 characters, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the vault.')
param location string

@description('Tags applied to the vault.')
param tags tagsType

@description('Days a deleted vault or secret stays recoverable (7-90). Cannot be changed after the vault is created.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('True: public network access disabled, reachable only through its private endpoint (vnetEnabled).')
param privateOnly bool

@description('Resource ID of the Log Analytics workspace that receives the vault\'s audit logs and metrics.')
param logAnalyticsWorkspaceId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForTemplateDeployment: false
    enabledForDiskEncryption: false
    publicNetworkAccess: privateOnly ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateOnly ? 'Deny' : 'Allow'
      bypass: privateOnly ? 'None' : 'AzureServices'
    }
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('URI of the vault, e.g. https://<name>.vault.azure.net/.')
output uri string = vault.properties.vaultUri
