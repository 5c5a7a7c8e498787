// Private network between the Function App and the GPU worker: the worker's environment is internal (no public
// ingress), the Function App reaches it through Flex Consumption VNet integration. Both subnets are delegated
// to Microsoft.App/environments (Flex Consumption and workload-profile Container Apps environments both need it).

import { Tags } from 'types.bicep'

@description('Virtual network name.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags Tags

@description('Address space of the virtual network.')
param addressPrefix string = '10.40.0.0/16'

@description('Subnet of the Container Apps environment (at least /27 for workload profiles; one IP per GPU replica).')
param containerAppsSubnetPrefix string = '10.40.0.0/23'

@description('Subnet for Function App VNet integration.')
param functionsSubnetPrefix string = '10.40.2.0/24'

var containerAppsSubnetName = 'snet-container-apps'
var functionsSubnetName = 'snet-functions'
var appEnvironmentsDelegation = [
  {
    name: 'Microsoft.App.environments'
    properties: {
      serviceName: 'Microsoft.App/environments'
    }
  }
]

resource vnet 'Microsoft.Network/virtualNetworks@2025-01-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    // Subnets are declared inline so a redeployment never tries to delete and recreate them.
    subnets: [
      {
        name: containerAppsSubnetName
        properties: {
          addressPrefix: containerAppsSubnetPrefix
          delegations: appEnvironmentsDelegation
        }
      }
      {
        name: functionsSubnetName
        properties: {
          addressPrefix: functionsSubnetPrefix
          delegations: appEnvironmentsDelegation
        }
      }
    ]
  }

  resource containerAppsSubnet 'subnets' existing = {
    name: containerAppsSubnetName
  }

  resource functionsSubnet 'subnets' existing = {
    name: functionsSubnetName
  }
}

output id string = vnet.id
output containerAppsSubnetId string = vnet::containerAppsSubnet.id
output functionsSubnetId string = vnet::functionsSubnet.id
// The address range the Function App's calls come from: the GPU worker's ingress admits only it.
output functionsSubnetPrefix string = functionsSubnetPrefix
