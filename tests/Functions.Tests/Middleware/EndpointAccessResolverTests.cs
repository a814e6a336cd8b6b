using JwtFunctions.Middleware;

namespace JwtFunctions.Tests.Middleware;

public sealed class EndpointAccessResolverTests
{
    [Theory]
    [InlineData("JwtFunctions.Functions.Login.Run", EndpointAccess.Anonymous)]
    [InlineData("JwtFunctions.Functions.Register.Run", EndpointAccess.Anonymous)]
    [InlineData("JwtFunctions.Functions.Health.Run", EndpointAccess.Anonymous)]
    [InlineData("JwtFunctions.Functions.Refresh.Run", EndpointAccess.RefreshToken)]
    [InlineData("JwtFunctions.Functions.Protected.Run", EndpointAccess.AccessToken)]
    [InlineData("JwtFunctions.Functions.Logout.Run", EndpointAccess.AccessToken)]
    [InlineData("JwtFunctions.Functions.DoesNotExist.Run", EndpointAccess.AccessToken)] // default deny
    [InlineData("NoDots", EndpointAccess.AccessToken)]
    public void EveryFunctionNeedsAnAccessTokenUnlessMarked(string entryPoint, EndpointAccess expected)
    {
        Assert.Equal(expected, new EndpointAccessResolver().Resolve(entryPoint));
    }
}
