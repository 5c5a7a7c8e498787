// Log Analytics workspace + workspace-based Application Insights. Local (instrumentation-key) ingestion is
// disabled: apps send telemetry with their managed identity (Monitoring Metrics Publisher, see rbac.bicep).

import { Tags } from 'types.bicep'

@description('Log Analytics workspace name.')
param workspaceName string

@description('Application Insights component name.')
param appInsightsName string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags Tags

@description('Days logs are kept (30 is included in the ingestion price).')
@minValue(30)
@maxValue(730)
param retentionDays int

@description('Daily ingestion cap in GB; -1 means no cap. A cost knob: dev uses a small cap.')
param dailyQuotaGb int

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

output workspaceId string = workspace.id
output appInsightsName string = appInsights.name
