using JwtFunctions.Accounts;
using JwtFunctions.HealthChecks;
using JwtFunctions.Keys;
using JwtFunctions.Middleware;
using JwtFunctions.Revocation;
using JwtFunctions.Storage;
using JwtFunctions.Telemetry;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

#if HTTP_ASPNETCORE
// ASP.NET Core integration: the worker runs its own Kestrel and the Functions host forwards each
// HTTP request to it, body streamed as received (Content-Length or chunked).
builder.ConfigureFunctionsWebApplication();
#endif

// Middleware runs in this order: exceptions are caught around everything, then every HTTP
// function is behind the Bearer check unless marked [AllowAnonymous].
builder.UseExceptionHandling();
builder.UseBearerAuthentication();

builder.Services
    .AddTelemetry(builder.Configuration)
    .AddSigningKeys()
    .AddJwtTokens()
    .AddTableStorage()
    .AddRevocation()
    .AddAccounts()
    .AddHealthProbe();

builder.Build().Run();
