// The virtual network of the private mode (vnetEnabled): one subnet delegated to
// Microsoft.App/environments for the Flex Consumption app's VNet integration (outbound), one for
// the private endpoints of storage and the vault.

import { tagsType } from 'types.bicep'

@description('Name of the virtual network.')
param name string

@description('Azure region of the virtual network (the app\'s region).')
param location string

@description('Tags applied to the virtual network.')
param tags tagsType

@description('Address space of the virtual network.')
param addressPrefix string = '10.0.0.0/16'

@description('Address range of the app integration subnet (/28 at least; a /24 leaves room to scale out).')
param appSubnetPrefix string = '10.0.1.0/24'

@description('Address range of the private endpoint subnet.')
param privateEndpointSubnetPrefix string = '10.0.2.0/24'

var appSubnetName = 'app'
var privateEndpointSubnetName = 'private-endpoints'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: appSubnetPrefix
          // Flex Consumption integrates with subnets delegated to Microsoft.App/environments.
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: privateEndpointSubnetName
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: appSubnetName
  }

  resource privateEndpointSubnet 'subnets' existing = {
    name: privateEndpointSubnetName
  }
}

@description('Resource ID of the virtual network (target of the private DNS zone links).')
output id string = vnet.id

@description('Resource ID of the subnet the app integrates with.')
output appSubnetId string = vnet::appSubnet.id

@description('Resource ID of the subnet that holds the private endpoints.')
output privateEndpointSubnetId string = vnet::privateEndpointSubnet.id
