// Azure Container Registry for the GPU worker image. Entra ID only (no admin user, no anonymous pull); the
// worker pulls with its managed identity (AcrPull), CI pushes with its federated identity.

import { Tags } from 'types.bicep'

@description('Registry name (5-50 letters and digits, globally unique).')
@minLength(5)
@maxLength(50)
param name string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags Tags

@description('Basic is enough for dev; Premium enables artifact streaming, which shortens GPU cold starts.')
param skuName ('Basic' | 'Standard' | 'Premium')

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output id string = registry.id
output name string = registry.name
output loginServer string = registry.properties.loginServer
