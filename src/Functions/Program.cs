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
