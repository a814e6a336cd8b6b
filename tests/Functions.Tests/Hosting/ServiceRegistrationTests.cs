using System.Reflection;
using JwtFunctions.Hosting;
using JwtFunctions.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace JwtFunctions.Tests.Hosting;

/// <summary>
/// AddJwtFunctions is the one registration entry: every function class and worker middleware can
/// be built from it alone, as the worker builds them (ActivatorUtilities over its services).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ServiceRegistrationTests(AzuriteFixture azurite)
{
    public static TheoryData<string> FunctionClasses() => new(
        typeof(JwtFunctionsServiceCollectionExtensions).Assembly.GetTypes()
            .Where(type => type.GetMethods().Any(method => method.IsDefined(typeof(FunctionAttribute)))
                || (type.IsClass && typeof(IFunctionsWorkerMiddleware).IsAssignableFrom(type)))
            .Select(type => type.FullName!)
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(FunctionClasses))]
    public async Task AddJwtFunctionsProvidesWhatTheClassNeeds(string typeName)
    {
        await using var services = await TestServices.StartAsync(azurite);
        var type = typeof(JwtFunctionsServiceCollectionExtensions).Assembly.GetType(typeName, throwOnError: true)!;

        Assert.NotNull(ActivatorUtilities.CreateInstance(services.Provider, type));
    }
}
