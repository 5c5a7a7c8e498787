// Least-privilege role assignments. Every assignment is scoped to the resource it is about (the storage account,
// one blob container, the registry, the Application Insights component) - never to the resource group.
//
//   Function App identity   Storage Blob Data Owner, Storage Queue Data Contributor, Storage Table Data Contributor
//                           on the storage account (Functions host + blob trigger + Durable Functions task hub),
//                           Monitoring Metrics Publisher on Application Insights.
//   GPU worker identity     Storage Blob Data Reader on `models`, Storage Blob Data Contributor on the containers it
//                           writes (runs, avatars, eval), AcrPull on the registry,
//                           Monitoring Metrics Publisher on Application Insights.
//   Operator (optional)     Storage Blob Data Contributor on the storage account, to upload model weights and
//                           inspect runs with `az storage blob ... --auth-mode login`.

import { builtInRoles } from 'roles.bicep'

@description('Storage account name.')
param storageAccountName string

@description('Container registry name.')
param registryName string

@description('Application Insights component name.')
param appInsightsName string

@description('Principal id of the Function App managed identity.')
param functionPrincipalId string

@description('Principal id of the GPU worker managed identity.')
param workerPrincipalId string

@description('Container the worker reads model weights from.')
param modelsContainerName string

@description('Containers the worker writes stage outputs, checkpoints, avatars and evaluation reports to.')
param workerWritableContainerNames string[]

@description('Optional principal (user or CI service principal) given blob data access for operations; empty = none.')
param operatorPrincipalId string = ''

@description('Type of operatorPrincipalId.')
param operatorPrincipalType ('User' | 'ServicePrincipal' | 'Group') = 'User'

var functionStorageRoles = [
  builtInRoles.storageBlobDataOwner
  builtInRoles.storageQueueDataContributor
  builtInRoles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource modelsContainer 'containers' existing = {
      name: modelsContainerName
    }
  }
}

resource workerWritableContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = [
  for containerName in workerWritableContainerNames: {
    parent: storage::blobService
    name: containerName
  }
]

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = {
  name: registryName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource functionStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in functionStorageRoles: {
    name: guid(storage.id, functionPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: functionPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource workerModelsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::modelsContainer.id, workerPrincipalId, builtInRoles.storageBlobDataReader)
  scope: storage::blobService::modelsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataReader)
    principalId: workerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource workerContainerWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in workerWritableContainerNames: {
    name: guid(workerWritableContainers[i].id, workerPrincipalId, builtInRoles.storageBlobDataContributor)
    scope: workerWritableContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
      principalId: workerPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource workerAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, workerPrincipalId, builtInRoles.acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.acrPull)
    principalId: workerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource telemetryPublishers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in [functionPrincipalId, workerPrincipalId]: {
    name: guid(appInsights.id, principalId, builtInRoles.monitoringMetricsPublisher)
    scope: appInsights
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.monitoringMetricsPublisher)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource operatorBlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(storage.id, operatorPrincipalId, builtInRoles.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}
