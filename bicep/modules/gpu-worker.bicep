// The GPU worker: an ASP.NET Core service (port 8080, GET /healthz) on a serverless GPU workload profile.
// Scales on concurrent HTTP requests from 0 (no GPU billed while idle) to maxReplicas. Pulls its image from the
// registry and reads/writes blobs with its own user-assigned identity; it holds no secrets.

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

@description('Concurrent HTTP requests per replica before another replica is added.')
@minValue(1)
param concurrentRequestsPerReplica int

@description('Seconds without traffic before replicas are removed (idle GPU time billed after the last request).')
@minValue(0)
param cooldownPeriodSeconds int

// Seconds a stopping replica (scale-in, new revision) gets after SIGTERM to checkpoint its running job (max 600).
var terminationGracePeriodSeconds = 240
var placeholderImage = 'mcr.microsoft.com/dotnet/samples:aspnetapp'
var containerPort = 8080
var healthPath = '/healthz'

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
            name: 'http-concurrency'
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

output name string = worker.name
output fqdn string = worker.properties.configuration.ingress.fqdn
output uri string = 'https://${worker.properties.configuration.ingress.fqdn}'
