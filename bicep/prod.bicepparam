// Production environment: A100 GPUs (paper preset fits in 80 GB), up to 4 replicas, zone-redundant storage,
// Premium registry (artifact streaming shortens GPU cold starts), weekly evaluation.
// az deployment sub create -l <region> -f bicep/main.bicep -p bicep/prod.bicepparam
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'fc4d-prod')
param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'ServicePrincipal')

param gpuWorkloadProfileType = 'Consumption-GPU-NC24-A100'
param gpuWorkerMaxReplicas = 4
param gpuWorkerConcurrentRequests = 4
param gpuWorkerJobsPerReplica = 1
// The worker API's app registration (docs/azure-deployment.md); all zeros until set: the worker then refuses every call.
param gpuWorkerApiClientId = readEnvironmentVariable('FC4D_GPU_WORKER_API_CLIENT_ID', '00000000-0000-0000-0000-000000000000')
param gpuWorkerCooldownSeconds = 300
param gpuWorkerImage = readEnvironmentVariable('FC4D_GPU_WORKER_IMAGE', '')
param pipelinePreset = 'paper'
// Sundays 03:00 UTC.
param evaluationSchedule = '0 0 3 * * 0'

param functionMaximumInstanceCount = 100
param functionInstanceMemoryMB = 4096
param runsRetentionDays = 30
param uploadsRetentionDays = 30
param storageSkuName = 'Standard_ZRS'
param registrySkuName = 'Premium'
param logRetentionDays = 90
param logDailyQuotaGb = -1

// Entra ID app registration callers sign in to (App Service authentication), and the share-link key in Key Vault.
param apiAuthClientId = readEnvironmentVariable('FC4D_API_CLIENT_ID', '')
param shareLinkKeySecretUri = readEnvironmentVariable('FC4D_SHARE_KEY_SECRET_URI', '')
