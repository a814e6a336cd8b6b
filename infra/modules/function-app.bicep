// The Function App on the Flex Consumption plan (FC1, Linux), running as the user-assigned
// identity. The deployment package is pulled from a blob container with that identity; HTTPS
// only, TLS 1.2 minimum, basic publishing credentials (FTP and SCM) off. The site configuration
// holds only properties Flex Consumption supports: siteConfig.ftpsState and the other properties
// of the "Flex Consumption plan deprecations" table are rejected by newer regional stamps (ARM
// error 51021), so FTP is closed by the ftp publishing-credentials policy instead.

import { appSettingsType, tagsType } from 'types.bicep'

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app (the app also gets azd-service-name).')
param tags tagsType

@description('azd service name of the app, as in azure.yaml.')
param serviceName string

@description('Name of the user-assigned identity (in this resource group) the app runs as.')
param identityName string

@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('Application settings (name to value). Must not contain secrets.')
param appSettings appSettingsType

@description('Highest number of instances the app scales out to (1-1000).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Concurrent HTTP executions per instance before the platform adds an instance.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int

@description('Origins that browsers may call the app from (CORS), e.g. https://app.example.com. Empty: no cross-origin browser calls.')
param corsAllowedOrigins string[]

@description('Access-Control-Allow-Credentials for those origins (cookie mode); never without an origin.')
param corsSupportCredentials bool

@description('Resource ID of the subnet (delegated to Microsoft.App/environments) the app integrates with. Empty: no VNet integration.')
param virtualNetworkSubnetId string

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Resource ID of the Log Analytics workspace that receives the app\'s logs and metrics.')
param logAnalyticsWorkspaceId string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
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

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    // Outbound traffic to storage and the vault goes through this subnet and its private endpoints.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      // Credentials (cookies) only when asked for (cookie mode) and only for listed origins; a
      // wildcard origin cannot be combined with credentials (the host's CorsPolicyBuilder refuses
      // it). On Flex Consumption these become CORS_ALLOWED_ORIGINS / CORS_SUPPORT_CREDENTIALS,
      // which the Functions host applies (HostCorsOptionsSetup).
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: corsSupportCredentials && !empty(corsAllowedOrigins)
      }
      appSettings: [
        for setting in items(appSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
  }
}

resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource appDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: app
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
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

@description('Name of the Function App.')
output name string = app.name

@description('HTTPS base URI of the Function App.')
output uri string = 'https://${app.properties.defaultHostName}'
