// Shared types for the JwtFunctions templates.

@export()
@description('Tags applied to a resource: string keys to string values.')
type tagsType = {
  *: string
}

@export()
@description('App settings of the Function App: setting name to value. Values are plain strings, never secrets.')
type appSettingsType = {
  *: string
}
