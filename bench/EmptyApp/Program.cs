using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
#if HTTP_ASPNETCORE
builder.ConfigureFunctionsWebApplication();
#endif
builder.Build().Run();
