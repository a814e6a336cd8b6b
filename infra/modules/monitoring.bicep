// Log Analytics workspace and workspace-based Application Insights. Local (instrumentation key)
// authentication is disabled: telemetry is only accepted from Entra ID identities that hold
// Monitoring Metrics Publisher on the component (granted in role-assignments.bicep).

import { tagsType } from 'types.bicep'

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Azure region of both resources.')
param location string

@description('Tags applied to both resources.')
param tags tagsType

@description('Days that Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

@description('Resource ID of the Log Analytics workspace (target of the diagnostic settings).')
output logAnalyticsWorkspaceId string = logAnalytics.id

@description('Name of the Application Insights component.')
output applicationInsightsName string = applicationInsights.name

@description('Connection string of Application Insights. It identifies the component but grants nothing: local auth is off, so ingestion needs an Entra ID token.')
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
