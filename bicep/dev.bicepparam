// Development environment: one T4 GPU at most, preview preset, short retention, capped logs.
// az deployment sub create -l <region> -f bicep/main.bicep -p bicep/dev.bicepparam
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'fc4d-dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'westus3')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')

param gpuWorkloadProfileType = 'Consumption-GPU-NC8as-T4'
param gpuWorkerMaxReplicas = 1
param gpuWorkerConcurrentRequests = 4
param gpuWorkerJobsPerReplica = 1
// The worker API's app registration (docs/azure-deployment.md); all zeros until set: the worker then refuses every call.
param gpuWorkerApiClientId = readEnvironmentVariable('FC4D_GPU_WORKER_API_CLIENT_ID', '00000000-0000-0000-0000-000000000000')
param gpuWorkerCooldownSeconds = 120
param gpuWorkerImage = readEnvironmentVariable('FC4D_GPU_WORKER_IMAGE', '')
param pipelinePreset = 'preview'
// Once a year (1 January, 03:00 UTC): the evaluation batch is run by hand in dev (POST /api/evaluations).
param evaluationSchedule = '0 0 3 1 1 *'

param functionMaximumInstanceCount = 40
param functionInstanceMemoryMB = 2048
param runsRetentionDays = 7
param uploadsRetentionDays = 7
param storageSkuName = 'Standard_LRS'
param registrySkuName = 'Basic'
param logRetentionDays = 30
param logDailyQuotaGb = 1

// Entra ID app registration callers sign in to (App Service authentication), and the share-link key in Key Vault.
param apiAuthClientId = readEnvironmentVariable('FC4D_API_CLIENT_ID', '')
param shareLinkKeySecretUri = readEnvironmentVariable('FC4D_SHARE_KEY_SECRET_URI', '')
