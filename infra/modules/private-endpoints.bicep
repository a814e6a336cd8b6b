// Private endpoints of the private mode (vnetEnabled): blob, queue and table of the storage
// account and the Key Vault, each with its private DNS zone linked to the virtual network, so
// the app resolves the usual host names (<account>.blob..., <vault>.vault.azure.net) to private
// addresses. Public access to storage and the vault is disabled in their own modules.

import { tagsType } from 'types.bicep'

@description('Azure region of the private endpoints (the virtual network\'s region).')
param location string

@description('Tags applied to the endpoints and zones.')
param tags tagsType

@description('Resource ID of the virtual network the DNS zones are linked to.')
param virtualNetworkId string

@description('Resource ID of the subnet that holds the private endpoints.')
param subnetId string

@description('Name of the storage account (in this resource group).')
param storageAccountName string

@description('Name of the Key Vault (in this resource group).')
param keyVaultName string

@description('Suffix of the endpoint names (the deployment\'s resource token).')
param nameSuffix string

// Private Link DNS zones of the public cloud (Learn: "Azure Private Endpoint private DNS zone values").
var endpoints = [
  {
    name: 'blob'
    groupId: 'blob'
    zone: 'privatelink.blob.${environment().suffixes.storage}'
  }
  {
    name: 'queue'
    groupId: 'queue'
    zone: 'privatelink.queue.${environment().suffixes.storage}'
  }
  {
    name: 'table'
    groupId: 'table'
    zone: 'privatelink.table.${environment().suffixes.storage}'
  }
  {
    name: 'vault'
    groupId: 'vault'
    zone: 'privatelink.vaultcore.azure.net'
  }
]

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in endpoints: {
    name: endpoint.zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (endpoint, i) in endpoints: {
    parent: zones[i]
    name: 'link-${nameSuffix}'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: virtualNetworkId
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in endpoints: {
    name: 'pe-${endpoint.name}-${nameSuffix}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: subnetId
      }
      privateLinkServiceConnections: [
        {
          name: endpoint.name
          properties: {
            privateLinkServiceId: endpoint.groupId == 'vault' ? vault.id : storage.id
            groupIds: [
              endpoint.groupId
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: endpoint.name
          properties: {
            privateDnsZoneId: zones[i].id
          }
        }
      ]
    }
  }
]
