using JwtFunctions.Authentication;
using JwtFunctions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

#if HTTP_ASPNETCORE
// ASP.NET Core integration: the worker runs its own Kestrel and the Functions host forwards each
// HTTP request to it, body streamed as received (Content-Length or chunked).
builder.ConfigureFunctionsWebApplication();
#endif

// Middleware runs in this order: exceptions are caught around everything, then every HTTP
// function is behind the Bearer check unless marked [AnonymousFunction].
builder.UseExceptionHandling();
builder.UseBearerAuthentication();

builder.Services.AddJwtFunctions(builder.Configuration);

builder.Build().Run();
