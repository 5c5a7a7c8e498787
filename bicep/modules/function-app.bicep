// The Functions app (HTTP API, blob-upload trigger, evaluation timer, Durable orchestrations and activities) on the
// Flex Consumption plan. Identity-based everything: the host storage (AzureWebJobsStorage__*), the blob trigger
// (same connection), the Durable Functions task hub, the deployment package container and Application Insights all
// use the app's user-assigned managed identity. No connection string, key or publishing password is configured.
//
// Flex Consumption rejects the classic app settings FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
// WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENT*: runtime, scale and deployment live in functionAppConfig instead.

import { AppSettings, Tags } from 'types.bicep'

@description('Function app name (globally unique host name).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region (must offer Flex Consumption).')
param location string

@description('Tags applied to every resource (the azd service tag is added to the app).')
param tags Tags

@description('Resource id of the Function App user-assigned identity.')
param identityId string

@description('Client id of the Function App user-assigned identity.')
param identityClientId string

@description('Storage account for the host, the task hub, the pipeline blobs and the deployment package.')
param storageAccountName string

@description('Primary blob endpoint of that storage account.')
param storageBlobEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights component receiving telemetry.')
param appInsightsName string

@description('Subnet (delegated to Microsoft.App/environments) for outbound VNet integration.')
param subnetId string

@description('Most instances the app scales out to. A cost ceiling; Durable Functions fan-out needs only a few.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Instance memory size in MB.')
param instanceMemoryMB (512 | 2048 | 4096)

@description('Application settings of the pipeline (Fc4d__*, Fc4dEvaluationSchedule).')
param pipelineSettings AppSettings

@description('Client id of the Entra ID app registration callers sign in to (App Service authentication). Empty: no sign-in provider, every API call is refused (401).')
param authClientId string

@description('Key Vault secret URI of the share-link signing key (base64, 32+ bytes); the app identity needs Key Vault Secrets User on it. Empty: no share links (503).')
param shareLinkKeySecretUri string = ''

// The paths App Service authentication lets through without a sign-in: the share-link viewer (the page, its assets and
// its read-only run routes, which accept a share link, signed, expiring and for one run, or a signed-in caller), and the
// Event Grid webhook of the upload trigger, which the Functions host guards with its blobs_extension system key.
var shareLinkViewerPath = '/api/viewer/*'
var uploadEventsWebhookPath = '/runtime/webhooks/blobs'

// .NET isolated worker version (the projects target net10.0).
var runtimeVersion = '10.0'

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: subnetId
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: union(pipelineSettings, {
      // Host storage, blob trigger and Durable Functions task hub, all by managed identity.
      AzureWebJobsStorage__accountName: storageAccountName
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      // The app's own Azure SDK clients (DefaultAzureCredential picks the user-assigned identity).
      AZURE_CLIENT_ID: identityClientId
      Fc4d__Storage__AccountName: storageAccountName
      // Telemetry with Entra ID auth (the component has local auth disabled).
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      // The caller comes from App Service authentication (authsettingsV2 below), which strips client-sent principal headers.
      Fc4d__Auth__TrustPlatformPrincipal: 'true'
      // Blob uploads name their owner: uploads/{owner object id}/{name}.
      Fc4d__Api__UploadOwnerFromPath: 'true'
    }, empty(shareLinkKeySecretUri) ? {} : {
      Fc4d__Share__Key: '@Microsoft.KeyVault(SecretUri=${shareLinkKeySecretUri})'
    })
  }

  // App Service authentication (Entra ID) in front of every function: unauthenticated API calls get 401 (no login
  // redirect); the caller reaches the app as X-MS-CLIENT-PRINCIPAL (oid, roles), which PlatformPrincipalMiddleware reads.
  resource authSettings 'config' = {
    name: 'authsettingsV2'
    properties: {
      platform: {
        enabled: true
      }
      globalValidation: {
        requireAuthentication: true
        unauthenticatedClientAction: 'Return401'
        excludedPaths: [
          shareLinkViewerPath
          uploadEventsWebhookPath
        ]
      }
      httpSettings: {
        requireHttps: true
      }
      login: {
        tokenStore: {
          enabled: false
        }
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: !empty(authClientId)
          registration: {
            clientId: authClientId
            openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          }
          validation: {
            allowedAudiences: [
              'api://${authClientId}'
              authClientId
            ]
          }
        }
      }
    }
  }

  // No FTP / SCM basic-auth publishing: deployments authenticate with Entra ID (azd, az CLI).
  resource ftpPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
