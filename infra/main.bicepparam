// Parameters for main.bicep. azd fills AZURE_ENV_NAME; the other values come from the azd
// environment (`azd env set NAME value`) or the shell, with the defaults below. Nothing secret
// belongs here: the signing key is created by infra/hooks/postprovision.sh.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'jwtfunctions')

param signingKeySecretName = 'jwt-signing-key'

// HS256 (default) | HS384 | HS512 | ES256 | RS256: azd env set JWT_SIGNING_ALGORITHM ES256
// With ES256 / RS256 the issuer is the app's URL (main.bicep) and jwtIssuer is not used.
param signingAlgorithm = readEnvironmentVariable('JWT_SIGNING_ALGORITHM', 'HS256')

param jwtIssuer = 'jwtfunctions'

param jwtAudience = 'jwtfunctions-api'

param registrationEnabled = false

// A region that offers Flex Consumption with .NET 10 (main.bicep lists them); azd sets AZURE_LOCATION.
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')

// Private mode (VNet integration, private endpoints): azd env set VNET_ENABLED true
param vnetEnabled = bool(readEnvironmentVariable('VNET_ENABLED', 'false'))

// After `azd down --purge`: azd env set AZURE_KEY_VAULT_NAME_SALT <anything new>
param keyVaultNameSalt = readEnvironmentVariable('AZURE_KEY_VAULT_NAME_SALT', '')

// persistent | bootstrap | none: azd env set DEPLOYER_VAULT_ACCESS bootstrap
param deployerVaultAccess = readEnvironmentVariable('DEPLOYER_VAULT_ACCESS', 'persistent')

// The deployer's temporary table role for creating the first admin: azd env set DEPLOYER_TABLE_ROLE false
param grantDeployerTableRole = bool(readEnvironmentVariable('DEPLOYER_TABLE_ROLE', 'true'))

// Comma-separated browser origins: azd env set CORS_ALLOWED_ORIGINS https://app.example.com
param corsAllowedOrigins = empty(readEnvironmentVariable('CORS_ALLOWED_ORIGINS', ''))
  ? []
  : split(readEnvironmentVariable('CORS_ALLOWED_ORIGINS', ''), ',')

// Cookies from those origins (cookie mode, Jwt__TokenLocation=cookies): azd env set CORS_SUPPORT_CREDENTIALS true
param corsSupportCredentials = bool(readEnvironmentVariable('CORS_SUPPORT_CREDENTIALS', 'false'))
