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
}
