// The user-assigned managed identity the Function App runs as. Every data-plane permission
// (storage, Key Vault, Application Insights) is granted to this identity in role-assignments.bicep.

import { tagsType } from 'types.bicep'

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags tagsType

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Client (application) ID of the identity; what DefaultAzureCredential needs in AZURE_CLIENT_ID.')
output clientId string = identity.properties.clientId
