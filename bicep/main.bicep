// FaceCraft4D.Cloud - one environment (dev, prod, ...) in its own resource group:
//
//   Storage account ── uploads / uploads-rejected / runs / avatars / models / eval / limits + task hub queues & tables
//        │  (Entra ID only, Event Grid system topic for upload events)
//   Function App (Flex Consumption, VNet-integrated) ── HTTP API, blob trigger, timer, Durable orchestrations
//        │  https (private DNS, inside the VNet)
//   GPU worker (Container Apps, internal environment, serverless GPU profile, 0..N replicas) ◄── ACR (AcrPull)
//   Log Analytics + Application Insights (Entra ID ingestion)
//
// Deploy with `azd up` (main.parameters.json) or `az deployment sub create -f bicep/main.bicep -p bicep/<env>.bicepparam`.
// See docs/azure-deployment.md.

targetScope = 'subscription'

import { GpuWorkloadProfileType, gpuProfileSizes } from 'modules/gpu-profiles.bicep'

@minLength(1)
@maxLength(64)
@description('Environment name (azd environment): names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption and serverless GPUs of the chosen type.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Optional principal (the deploying user or CI identity) granted Storage Blob Data Contributor for operations.')
param principalId string = ''

@description('Type of principalId.')
param principalType ('User' | 'ServicePrincipal' | 'Group') = 'User'

// ---- Cost-relevant knobs ----------------------------------------------------------------------------------------

@description('Serverless GPU of the worker: T4 (cheaper, 16 GB) or A100 (faster, 80 GB, needed for the paper preset).')
param gpuWorkloadProfileType GpuWorkloadProfileType = 'Consumption-GPU-NC8as-T4'

@description('Most GPU worker replicas. The main cost ceiling; bounded by the subscription\'s serverless GPU quota.')
@minValue(1)
@maxValue(100)
param gpuWorkerMaxReplicas int = 1

@description('Concurrent HTTP requests one GPU replica takes before another replica starts.')
@minValue(1)
param gpuWorkerConcurrentRequests int = 4

@description('Jobs one GPU replica runs at once; the queue scale rule adds a replica per this many held jobs.')
@minValue(1)
@maxValue(16)
param gpuWorkerJobsPerReplica int = 1

@description('Client id of the Entra app registration representing the GPU worker\'s API (see docs/azure-deployment.md). The Function app gets tokens for api://<id>; until it is set (all zeros) every worker call is refused (401).')
@minLength(36)
@maxLength(36)
param gpuWorkerApiClientId string

@description('Seconds a GPU replica stays up after its last request (billed idle time). Must exceed the orchestrator\'s job poll interval.')
@minValue(60)
param gpuWorkerCooldownSeconds int = 300

@description('Worker image (e.g. <registry>/fc4d-gpu-worker:<tag>). Empty = public placeholder until the first deploy.')
param gpuWorkerImage string = ''

@description('Default pipeline preset: preview (fast, few iterations) or paper (the paper\'s 30K + 90K iterations).')
param pipelinePreset ('preview' | 'paper') = 'preview'

@description('NCRONTAB schedule of the evaluation timer (seconds minutes hours day month day-of-week).')
param evaluationSchedule string = '0 0 3 * * 0'

@description('Most Function App instances (Flex Consumption).')
@minValue(1)
@maxValue(1000)
param functionMaximumInstanceCount int = 40

@description('Function App instance memory in MB.')
param functionInstanceMemoryMB (512 | 2048 | 4096) = 2048

@description('Days intermediate run data (runs/) is kept after its last write.')
@minValue(1)
param runsRetentionDays int = 30

@description('Days uploads and rejected uploads are kept after their last write.')
@minValue(1)
param uploadsRetentionDays int = 14

@description('Storage replication.')
param storageSkuName ('Standard_LRS' | 'Standard_ZRS' | 'Standard_GRS' | 'Standard_GZRS') = 'Standard_LRS'

@description('Container registry tier (Premium adds artifact streaming for faster GPU cold starts).')
param registrySkuName ('Basic' | 'Standard' | 'Premium') = 'Basic'

@description('Log Analytics retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Log Analytics daily ingestion cap in GB (-1 = none).')
param logDailyQuotaGb int = -1

@description('Client id of the Entra ID app registration of the API (App Service authentication). Empty: every API call is refused.')
param apiAuthClientId string = ''

@description('Key Vault secret URI of the share-link signing key (optional; empty: no share links).')
param shareLinkKeySecretUri string = ''

// ---- Names --------------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'facecraft4d'
}
var modelsContainerName = 'models'
var pipelineContainerNames = [
  'uploads'
  'uploads-rejected'
  'runs'
  'avatars'
  modelsContainerName
  'eval'
  'limits' // per-owner rate buckets shared by every Functions instance (BlobRateBuckets)
]
var deploymentContainerName = 'app-package'
var gpuProfile = gpuProfileSizes[gpuWorkloadProfileType]
// Names are fixed here (not read back from module outputs) so role assignments and app settings resolve to
// concrete resource ids before deployment (what-if and `bicep snapshot` show them in full).
var names = {
  logAnalytics: 'log-${resourceToken}'
  appInsights: 'appi-${resourceToken}'
  virtualNetwork: 'vnet-${resourceToken}'
  storage: 'st${resourceToken}'
  uploadsTopic: 'evgt-uploads-${resourceToken}'
  registry: 'cr${resourceToken}'
  functionIdentity: 'id-func-${resourceToken}'
  workerIdentity: 'id-gpu-${resourceToken}'
  containerAppsEnvironment: 'cae-${resourceToken}'
  gpuWorker: 'ca-gpu-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  functionPlan: 'plan-${resourceToken}'
}

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// ---- Shared services ----------------------------------------------------------------------------------------------

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    workspaceName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionDays: logRetentionDays
    dailyQuotaGb: logDailyQuotaGb
  }
}

module network 'modules/network.bicep' = {
  scope: rg
  params: {
    name: names.virtualNetwork
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSkuName
    containerNames: concat(pipelineContainerNames, [deploymentContainerName])
    runsRetentionDays: runsRetentionDays
    uploadsRetentionDays: uploadsRetentionDays
  }
}

module uploadEvents 'modules/upload-events.bicep' = {
  scope: rg
  params: {
    name: names.uploadsTopic
    location: location
    tags: tags
    storageAccountId: storage.outputs.id
  }
}

module registry 'modules/registry.bicep' = {
  scope: rg
  params: {
    name: names.registry
    location: location
    tags: tags
    skuName: registrySkuName
  }
}

module functionIdentity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: names.functionIdentity
    location: location
    tags: tags
  }
}

module workerIdentity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: names.workerIdentity
    location: location
    tags: tags
  }
}

module rbac 'modules/rbac.bicep' = {
  scope: rg
  params: {
    storageAccountName: names.storage
    registryName: names.registry
    appInsightsName: names.appInsights
    functionPrincipalId: functionIdentity.outputs.principalId
    workerPrincipalId: workerIdentity.outputs.principalId
    modelsContainerName: modelsContainerName
    workerWritableContainerNames: [
      'runs'
      'avatars'
      'eval'
    ]
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
  }
  dependsOn: [
    storage
    registry
    monitoring
  ]
}

// ---- GPU worker ---------------------------------------------------------------------------------------------------

module containerAppsEnvironment 'modules/container-apps-environment.bicep' = {
  scope: rg
  params: {
    name: names.containerAppsEnvironment
    location: location
    tags: tags
    gpuWorkloadProfileType: gpuWorkloadProfileType
    infrastructureSubnetId: network.outputs.containerAppsSubnetId
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module environmentDns 'modules/environment-dns.bicep' = {
  scope: rg
  params: {
    defaultDomain: containerAppsEnvironment.outputs.defaultDomain
    staticIp: containerAppsEnvironment.outputs.staticIp
    virtualNetworkId: network.outputs.id
    tags: tags
  }
}

module gpuWorker 'modules/gpu-worker.bicep' = {
  scope: rg
  params: {
    name: names.gpuWorker
    location: location
    tags: tags
    environmentId: containerAppsEnvironment.outputs.id
    workloadProfileName: containerAppsEnvironment.outputs.gpuWorkloadProfileName
    cpu: gpuProfile.cpu
    memory: gpuProfile.memory
    image: gpuWorkerImage
    registryServer: registry.outputs.loginServer
    identityId: workerIdentity.outputs.id
    identityClientId: workerIdentity.outputs.clientId
    storageAccountName: names.storage
    modelsContainerName: modelsContainerName
    pipelinePreset: pipelinePreset
    appInsightsName: names.appInsights
    maxReplicas: gpuWorkerMaxReplicas
    concurrentRequestsPerReplica: gpuWorkerConcurrentRequests
    cooldownPeriodSeconds: gpuWorkerCooldownSeconds
    jobsPerReplica: gpuWorkerJobsPerReplica
    identityPrincipalId: workerIdentity.outputs.principalId
    apiClientId: gpuWorkerApiClientId
    callerClientId: functionIdentity.outputs.clientId
    callerPrincipalId: functionIdentity.outputs.principalId
    allowedCallerAddressRanges: [
      network.outputs.functionsSubnetPrefix
    ]
  }
  // The image pull needs AcrPull before the first revision starts.
  dependsOn: [
    rbac
  ]
}

// ---- Functions ----------------------------------------------------------------------------------------------------

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  params: {
    name: names.functionApp
    planName: names.functionPlan
    location: location
    tags: tags
    identityId: functionIdentity.outputs.id
    identityClientId: functionIdentity.outputs.clientId
    storageAccountName: names.storage
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    appInsightsName: names.appInsights
    subnetId: network.outputs.functionsSubnetId
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    authClientId: apiAuthClientId
    shareLinkKeySecretUri: shareLinkKeySecretUri
    pipelineSettings: {
      Fc4d__GpuWorker__BaseUrl: gpuWorker.outputs.uri
      Fc4d__GpuWorker__TokenScope: gpuWorker.outputs.apiScope
      Fc4d__Pipeline__Preset: pipelinePreset
      Fc4d__Models__Container: modelsContainerName
      Fc4dEvaluationSchedule: evaluationSchedule
    }
  }
  // The host must be able to reach its storage (by identity) and the worker's private name when it starts.
  dependsOn: [
    rbac
    environmentDns
  ]
}

// ---- Outputs (names and URLs only: no keys, connection strings or tokens) -----------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output SERVICE_GPU_WORKER_NAME string = gpuWorker.outputs.name
output SERVICE_GPU_WORKER_URI string = gpuWorker.outputs.uri
output FC4D_UPLOADS_SYSTEM_TOPIC_NAME string = uploadEvents.outputs.name
output FC4D_GPU_WORKLOAD_PROFILE string = gpuWorkloadProfileType
