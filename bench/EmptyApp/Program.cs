using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);
#if HTTP_ASPNETCORE
builder.ConfigureFunctionsWebApplication();
#endif
// The app's own filter (AddJwtFunctions): without it this floor logs four ASP.NET Core lines per
// request under ASP.NET Core integration (Request starting/finished, Executing/Executed endpoint),
// sent to the host over gRPC, which the app does not: 340,480 such lines in one compare.sh run
// (2026-12-01), making the floor dearer than the app (app marginal worker CPU -15.8 µs/req at c=64).
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

builder.Build().Run();
