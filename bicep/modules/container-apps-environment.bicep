// Container Apps environment for the GPU worker: workload-profiles environment with the built-in Consumption
// profile plus one serverless GPU profile (Consumption-GPU-*: per-second billing, scales to zero). The
// environment is internal - reachable only from its virtual network - and sends its logs to Log Analytics
// through a diagnostic setting (no workspace shared key is handed to the environment).

import { Tags } from 'types.bicep'
import { GpuWorkloadProfileType, gpuProfileSizes } from 'gpu-profiles.bicep'

@description('Environment name.')
param name string

@description('Azure region (must offer serverless GPUs of the chosen type).')
param location string

@description('Tags applied to every resource.')
param tags Tags

@description('Serverless GPU workload profile type.')
param gpuWorkloadProfileType GpuWorkloadProfileType

@description('Subnet delegated to Microsoft.App/environments.')
param infrastructureSubnetId string

@description('Log Analytics workspace receiving console and system logs.')
param logAnalyticsWorkspaceId string

var gpuProfile = gpuProfileSizes[gpuWorkloadProfileType]

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    vnetConfiguration: {
      infrastructureSubnetId: infrastructureSubnetId
      internal: true
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuProfile.profileName
        workloadProfileType: gpuWorkloadProfileType
      }
    ]
    zoneRedundant: false
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = environment.id
output name string = environment.name
output defaultDomain string = environment.properties.defaultDomain
output staticIp string = environment.properties.staticIp
output gpuWorkloadProfileName string = gpuProfile.profileName
