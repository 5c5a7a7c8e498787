// Private DNS for the internal Container Apps environment: `*.<defaultDomain>` resolves to the environment's
// internal load balancer inside the virtual network, so the Function App (VNet-integrated) reaches the worker
// at its normal FQDN with a valid certificate.

import { Tags } from 'types.bicep'

@description('Default domain of the Container Apps environment (the zone name).')
param defaultDomain string

@description('Static (internal) IP of the Container Apps environment.')
param staticIp string

@description('Virtual network the zone is linked to.')
param virtualNetworkId string

@description('Tags applied to every resource.')
param tags Tags

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: defaultDomain
  location: 'global'
  tags: tags

  resource wildcard 'A' = {
    name: '*'
    properties: {
      ttl: 3600
      aRecords: [
        {
          ipv4Address: staticIp
        }
      ]
    }
  }

  resource link 'virtualNetworkLinks' = {
    name: 'container-apps-environment'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: virtualNetworkId
      }
    }
  }
}
