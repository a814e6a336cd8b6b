namespace JwtFunctions.Middleware;

/// <summary>What an HTTP function requires of its caller.</summary>
public enum EndpointAccess
{
    /// <summary>The default: a valid access token.</summary>
    AccessToken = 0,
    RefreshToken,
    Anonymous,

    /// <summary>Not an HTTP trigger: the Bearer middleware leaves it alone.</summary>
    NotHttp,
}
