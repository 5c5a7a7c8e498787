// The one storage account of a deployment: pipeline blobs (uploads, runs, avatars, models, eval), the Functions
// host and Durable Functions task hub (queues + tables), and the Flex Consumption deployment package.
// Entra ID only: shared keys (and so SAS tokens and connection strings) are disabled, no anonymous blob access.

import { Tags } from 'types.bicep'

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags Tags

@description('Replication: LRS for dev, ZRS where the region offers it for prod.')
param skuName ('Standard_LRS' | 'Standard_ZRS' | 'Standard_GRS' | 'Standard_GZRS')

@description('Blob containers to create (private).')
param containerNames string[]

@description('Blobs under runs/ (intermediate stage outputs and checkpoints) are deleted this many days after their last write.')
@minValue(1)
param runsRetentionDays int

@description('Processed uploads and rejected uploads are deleted this many days after their last write.')
@minValue(1)
param uploadsRetentionDays int

// Days a deleted blob or container can still be restored.
var softDeleteRetentionDays = 7

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'
    properties: {
      deleteRetentionPolicy: {
        enabled: true
        days: softDeleteRetentionDays
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: softDeleteRetentionDays
      }
    }

    resource containers 'containers' = [
      for containerName in containerNames: {
        name: containerName
        properties: {
          publicAccess: 'None'
        }
      }
    ]
  }

  // Lifecycle management: intermediate run data is large (views, videos, checkpoints) and only needed while a
  // run is in flight or being debugged; the final avatar lives in avatars/ and is kept.
  resource lifecycle 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'expire-old-runs'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  'runs/'
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: runsRetentionDays
                  }
                }
              }
            }
          }
          {
            name: 'expire-old-uploads'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  'uploads/'
                  'uploads-rejected/'
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: uploadsRetentionDays
                  }
                }
              }
            }
          }
        ]
      }
    }
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
