// Parameters for main.bicep. azd fills AZURE_ENV_NAME; with plain az CLI export it or accept the
// default. Nothing secret belongs here: the signing key is created by infra/hooks/postprovision.sh.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'jwtfunctions')

param signingKeySecretName = 'jwt-signing-key'

param jwtIssuer = 'jwtfunctions'

param jwtAudience = 'jwtfunctions-api'

param registrationEnabled = false
