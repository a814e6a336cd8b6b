namespace JwtFunctions.Accounts;

/// <summary>What login and refresh hand out. <see cref="ExpiresIn"/> is the access token's lifetime in seconds (RFC 6749 §5.1).</summary>
public sealed record TokenPair(string AccessToken, string RefreshToken, long ExpiresIn)
{
    public override string ToString() => $"TokenPair(expires_in={ExpiresIn})";
}
