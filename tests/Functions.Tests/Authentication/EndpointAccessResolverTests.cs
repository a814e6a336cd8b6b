using JwtFunctions.Authentication;









namespace JwtFunctions.Tests.Authentication;

public sealed class EndpointAccessResolverTests
{
    [Theory]
    [InlineData("JwtFunctions.Endpoints.Login.Run", EndpointAccess.Anonymous)]
    [InlineData("JwtFunctions.Endpoints.Register.Run", EndpointAccess.Anonymous)]
    [InlineData("JwtFunctions.Endpoints.Health.Run", EndpointAccess.Anonymous)]
    [InlineData("JwtFunctions.Endpoints.Refresh.Run", EndpointAccess.RefreshToken)]
    [InlineData("JwtFunctions.Endpoints.Protected.Run", EndpointAccess.AccessToken)]
    [InlineData("JwtFunctions.Endpoints.Logout.Run", EndpointAccess.AccessToken)]
    [InlineData("JwtFunctions.Endpoints.DoesNotExist.Run", EndpointAccess.AccessToken)] // default deny
    [InlineData("NoDots", EndpointAccess.AccessToken)]
    public void EveryFunctionNeedsAnAccessTokenUnlessMarked(string entryPoint, EndpointAccess expected)
    {
        Assert.Equal(expected, new EndpointAccessResolver().Resolve(entryPoint));
    }

    [Theory]
    [InlineData("JwtFunctions.Admin.AdminUsers.Create", "admin", "")]
    [InlineData("JwtFunctions.Admin.AdminUsers.List", "admin", "")]
    [InlineData("JwtFunctions.Admin.AdminUsers.Action", "admin", "")]
    [InlineData("JwtFunctions.Admin.AdminUsers.Delete", "admin", "")]
    [InlineData("JwtFunctions.Endpoints.ReportsExport.Run", "", "reports:export reports:read")] // two attributes, sorted
    [InlineData("JwtFunctions.Endpoints.Protected.Run", "", "")]
    [InlineData("JwtFunctions.Endpoints.Me.Run", "", "")]
    [InlineData("JwtFunctions.Endpoints.DoesNotExist.Run", "", "")]
    public void RolesAndScopesAreReadFromTheEntryPoint(string entryPoint, string roles, string scopes)
    {
        var requirement = new EndpointAccessResolver().ResolveRequirement(entryPoint);

        Assert.Equal(roles, string.Join(' ', requirement.Roles));
        Assert.Equal(scopes, string.Join(' ', requirement.Scopes));
    }

    [Fact]
    public void AnEntryPointNamingSeveralMethodsIsAMisconfigurationNotAnOpenDoor()
    {
        var resolver = new EndpointAccessResolver(typeof(OverloadedFunction).Assembly);
        var entryPoint = $"{typeof(OverloadedFunction).FullName}.{nameof(OverloadedFunction.Run)}";

        Assert.Throws<InvalidOperationException>(() => resolver.ResolveRequirement(entryPoint));
        Assert.Throws<InvalidOperationException>(() => resolver.Resolve(entryPoint));
    }

    /// <summary>RFC 6750 §3: the scope attribute is quoted as it is; every name in the app must need no escaping.</summary>
    [Fact]
    public void EveryRoleAndScopeNamedOnAFunctionIsAValidName()
    {
        var resolver = new EndpointAccessResolver();
        var names = typeof(EndpointAccessResolver).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Where(m => m.IsDefined(typeof(RequireRoleAttribute), false) || m.IsDefined(typeof(RequireScopeAttribute), false))
            .Select(m => resolver.ResolveRequirement($"{m.DeclaringType!.FullName}.{m.Name}"))
            .SelectMany(r => r.Roles.Concat(r.Scopes))
            .ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(JwtFunctions.Admin.AccessRights.IsValidName(name), name));
    }
}

/// <summary>A function method with an overload: which one's attributes hold cannot be told.</summary>
public sealed class OverloadedFunction
{
    [RequireRole("admin")]
    public void Run(int value) => _ = value;

    public void Run(string value) => _ = value;
}
