// Event Grid system topic on the storage account. Flex Consumption runs blob triggers only with the Event Grid
// source: the upload function declares `Source = BlobTriggerSource.EventGrid`, and the event subscription that
// delivers BlobCreated events for uploads/ to the function's webhook is created after the code is deployed
// (its URL carries the blobs_extension system key, which only exists once the host has started):
// see hooks/subscribe-upload-events.sh, run by `azd` (postdeploy) and by the deploy workflow.

import { Tags } from 'types.bicep'

@description('System topic name.')
param name string

@description('Azure region (the storage account region).')
param location string

@description('Tags applied to every resource.')
param tags Tags

@description('Resource id of the storage account that publishes blob events.')
param storageAccountId string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storageAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = topic.name
