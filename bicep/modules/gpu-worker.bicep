// The GPU worker: an ASP.NET Core service (port 8080, GET /healthz) on a serverless GPU workload profile.
// Scales on the depth of the worker-jobs queue (one message per running or waiting job, kept by the worker itself)
// from 0 (no GPU billed while idle) to maxReplicas. Pulls its image from the registry and reads/writes blobs with its
// own user-assigned identity; it holds no secrets.
// Callers: only the Function app. Its calls must come from the Functions subnet (ingress IP restrictions) and carry an
// Entra token of the Function app's managed identity for the worker's app registration, which Container Apps
// authentication validates before the container sees the request; the worker then admits only that client id.

import { Tags } from 'types.bicep'

@description('Container app name.')
@maxLength(32)
param name string

@description('Azure region.')
param location string

@description('Tags applied to every resource (the azd service tag is added here).')
param tags Tags

@description('Container Apps environment id.')
param environmentId string

@description('Name of the GPU workload profile in the environment.')
param workloadProfileName string

@description('vCPU cores of the replica (the GPU profile size).')
param cpu int

@description('Memory of the replica (the GPU profile size).')
param memory string

@description('Image to run. Empty = a public placeholder that serves /healthz on 8080, replaced by the first `azd deploy` / deploy workflow run.')
param image string

@description('Login server of the registry the image is pulled from.')
param registryServer string

@description('Resource id of the worker user-assigned identity.')
param identityId string

@description('Client id of the worker user-assigned identity (AZURE_CLIENT_ID).')
param identityClientId string

@description('Storage account the worker reads models from and writes stage outputs to.')
param storageAccountName string

@description('Container holding operator-supplied model weights.')
param modelsContainerName string

@description('Default pipeline preset (preview or paper).')
param pipelinePreset ('preview' | 'paper')

@description('Application Insights component receiving telemetry.')
param appInsightsName string

@description('Most GPU replicas (bounded by the subscription\'s serverless GPU quota). The main cost ceiling.')
@minValue(1)
@maxValue(100)
param maxReplicas int

@description('Concurrent HTTP requests that wake a replica from zero (the queue rule then keeps replicas while jobs are held).')
@minValue(1)
param concurrentRequestsPerReplica int

@description('Seconds after the last held job (and request) before replicas are removed (idle GPU time billed).')
@minValue(0)
param cooldownPeriodSeconds int

@description('Jobs one replica runs at once (Fc4d:Worker:MaxConcurrentJobs); also the queue messages per replica of the scale rule.')
@minValue(1)
@maxValue(16)
param jobsPerReplica int

@description('Storage queue holding one message per job a replica holds (running or waiting): what the scale rule counts.')
param jobQueueName string = 'worker-jobs'

@description('Principal (object) id of the worker identity: granted send/delete on the jobs queue (the scale rule reads it with the same identity).')
param identityPrincipalId string

@description('Client id of the Entra app registration that represents the worker\'s API (token audience api://<id>).')
@minLength(36)
@maxLength(36)
param apiClientId string

@description('Client id of the Function app\'s managed identity: the only application allowed to call the worker.')
param callerClientId string

@description('Principal (object) id of the Function app\'s managed identity: the only identity allowed to call the worker.')
param callerPrincipalId string

@description('Address ranges (CIDR) allowed to reach the worker\'s ingress: the Function app\'s VNet-integration subnet.')
@minLength(1)
param allowedCallerAddressRanges string[]

// Seconds a stopping replica (scale-in, new revision) gets after SIGTERM to checkpoint its running job (max 600).
var terminationGracePeriodSeconds = 240
var placeholderImage = 'mcr.microsoft.com/dotnet/samples:aspnetapp'
var containerPort = 8080
var healthPath = '/healthz'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName

  resource queueService 'queueServices' = {
    name: 'default'

    resource jobsQueue 'queues' = {
      name: jobQueueName
    }
  }
}

// The worker sends and deletes its job messages; the KEDA azure-queue scaler reads the queue length as the same identity.
resource jobsQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount::queueService::jobsQueue.id, identityPrincipalId, storageQueueDataContributor)
  scope: storageAccount::queueService::jobsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource worker 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'gpu-worker' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      // The environment is internal: "external" here means reachable from the virtual network, not the internet.
      ingress: {
        external: true
        targetPort: containerPort
        transport: 'http'
        allowInsecure: false
        // Allow rules only: every other source (other subnets of the VNet, peered networks) is refused at the ingress.
        ipSecurityRestrictions: [
          for (range, i) in allowedCallerAddressRanges: {
            name: 'function-app-${i}'
            description: 'Function app VNet integration subnet'
            ipAddressRange: range
            action: 'Allow'
          }
        ]
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      terminationGracePeriodSeconds: terminationGracePeriodSeconds
      containers: [
        {
          name: 'gpu-worker'
          image: empty(image) ? placeholderImage : image
          resources: {
            cpu: cpu
            memory: memory
          }
          env: [
            {
              name: 'AZURE_CLIENT_ID'
              value: identityClientId
            }
            {
              name: 'Fc4d__Storage__AccountName'
              value: storageAccountName
            }
            {
              name: 'Fc4d__Models__Container'
              value: modelsContainerName
            }
            {
              name: 'Fc4d__Pipeline__Preset'
              value: pipelinePreset
            }
            {
              // Behind Container Apps authentication (authConfigs below): admit the Function app's client id only.
              name: 'Fc4d__Worker__Auth__Mode'
              value: 'ContainerApps'
            }
            {
              name: 'Fc4d__Worker__Auth__AllowedClientIds__0'
              value: callerClientId
            }
            {
              name: 'Fc4d__Worker__JobQueue__Name'
              value: jobQueueName
            }
            {
              name: 'Fc4d__Worker__MaxConcurrentJobs'
              value: string(jobsPerReplica)
            }
            {
              name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
              value: appInsights.properties.ConnectionString
            }
            {
              name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
              value: 'ClientId=${identityClientId};Authorization=AAD'
            }
          ]
          probes: [
            {
              // CUDA initialisation and model loading happen before the first healthy answer: allow ~5 minutes.
              type: 'Startup'
              httpGet: {
                path: healthPath
                port: containerPort
              }
              initialDelaySeconds: 10
              periodSeconds: 30
              timeoutSeconds: 5
              failureThreshold: 10
            }
            {
              type: 'Liveness'
              httpGet: {
                path: healthPath
                port: containerPort
              }
              periodSeconds: 30
              timeoutSeconds: 5
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: healthPath
                port: containerPort
              }
              periodSeconds: 10
              timeoutSeconds: 5
              failureThreshold: 3
            }
          ]
        }
      ]
      scale: {
        // Scale to zero: no GPU is billed while there is no work.
        minReplicas: 0
        maxReplicas: maxReplicas
        cooldownPeriod: cooldownPeriodSeconds
        rules: [
          {
            // The replica count follows the jobs held (running + waiting, one message each; a job's message goes when
            // it ends), not the short HTTP polls, so replicas are not removed under running jobs. A replica that is
            // removed anyway (scale-in picks one) gets terminationGracePeriodSeconds to cancel-save its jobs.
            name: 'worker-jobs-queue'
            azureQueue: {
              accountName: storageAccountName
              queueName: jobQueueName
              queueLength: jobsPerReplica
              identity: identityId
            }
          }
          {
            // Wakes the app from zero replicas on the first submission (the queue is empty until a worker accepts a job).
            name: 'http-wake'
            http: {
              metadata: {
                concurrentRequests: string(concurrentRequestsPerReplica)
              }
            }
          }
        ]
      }
    }
  }
}

// Container Apps authentication: the platform validates the Entra token (issuer, audience = the worker's app
// registration, caller = the Function app's identity) and answers 401 itself; it forwards the caller's claims in
// X-MS-CLIENT-PRINCIPAL, which the worker checks once more (Fc4d:Worker:Auth). /healthz stays open for the probes.
resource authentication 'Microsoft.App/containerApps/authConfigs@2025-07-01' = {
  parent: worker
  name: 'current'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      unauthenticatedClientAction: 'Return401'
      excludedPaths: [
        healthPath
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: apiClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${apiClientId}'
            apiClientId
          ]
          defaultAuthorizationPolicy: {
            allowedApplications: [
              callerClientId
            ]
            allowedPrincipals: {
              identities: [
                callerPrincipalId
              ]
            }
          }
        }
      }
    }
  }
}

output name string = worker.name
output fqdn string = worker.properties.configuration.ingress.fqdn
output uri string = 'https://${worker.properties.configuration.ingress.fqdn}'
// What the Function app asks its managed identity for when it calls the worker.
output apiScope string = 'api://${apiClientId}/.default'
