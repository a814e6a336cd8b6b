using System.Net;
using JwtFunctions.Authentication;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using static JwtFunctions.TestSupport.FakeHttpResponse;

namespace JwtFunctions.Tests.Authentication;

/// <summary>The real Bearer middleware (from the app's container) on [RequireRole] / [RequireScope] functions.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BearerRequirementTests(AzuriteFixture azurite)
{
    private const string RoleChallenge = "Bearer error=\"insufficient_scope\", error_description=\"The access token lacks a required role\"";
    private const string ScopeChallenge = "Bearer error=\"insufficient_scope\", error_description=\"The access token lacks a required scope\", scope=\"reports:export reports:read\"";

    public static TheoryData<string, string, string[], string, int, string> Cases => new()
    {
        // function, entry point, roles, scope, status (200: the function ran), challenge
        { "AdminListUsers", "JwtFunctions.Admin.AdminUsers.List", [], "", 403, RoleChallenge },
        { "AdminListUsers", "JwtFunctions.Admin.AdminUsers.List", ["ops"], "admin", 403, RoleChallenge },
        { "AdminListUsers", "JwtFunctions.Admin.AdminUsers.List", ["admin"], "", 200, "(none)" },
        { "ReportsExport", "JwtFunctions.Endpoints.ReportsExport.Run", ["admin"], "", 403, ScopeChallenge },
        { "ReportsExport", "JwtFunctions.Endpoints.ReportsExport.Run", [], "reports:read", 403, ScopeChallenge },
        { "ReportsExport", "JwtFunctions.Endpoints.ReportsExport.Run", [], "reports:export reports:read", 200, "(none)" },
        { "Protected", "JwtFunctions.Endpoints.Protected.Run", [], "", 200, "(none)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ARequirementNotMetIs403AndNextIsNeverCalled(string function, string entryPoint, string[] roles, string scope, int status, string challenge)
    {
        await using var app = await TestServices.StartAsync(azurite);
        var middleware = ActivatorUtilities.CreateInstance<BearerAuthenticationMiddleware>(app.Provider);
        var keys = (await app.Tokens.GetKeysAsync(default))!;
        var token = app.Tokens.CreateAccessToken(keys, "alice", "s", 0, roles, scope).Value;
        var context = new FakeFunctionContext(new FakeFunctionDefinition(function, entryPoint), app.Provider);
        context.Attach(new FakeHttpRequest(context, "GET", headers: [("Authorization", "Bearer " + token)]));
        var ran = 0;

        await middleware.Invoke(context, _ =>
        {
            ran++;
            return Task.CompletedTask;
        });

        if (status == 200)
        {
            Assert.Equal(1, ran);
            Assert.Null(context.InvocationResult);
            var principal = context.GetClaimsPrincipal()!;
            Assert.Equal("alice", principal.Identity!.Name);
            Assert.All(roles, role => Assert.True(principal.IsInRole(role)));
            Assert.Equal(scope.Length == 0 ? null : scope, principal.FindFirst("scope")?.Value);
            return;
        }

        Assert.Equal(0, ran);
        Assert.Null(context.GetTokenPrincipal());
        var response = Assert.IsType<FakeHttpResponse>(context.InvocationResult);
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(challenge, Header(response, "WWW-Authenticate"));
        Assert.Equal("insufficient_scope", JsonOf(response).GetProperty("error").GetString());
    }
}
