namespace JwtFunctions.Keys;

/// <summary>What health reports about the signing keys.</summary>
public enum SigningKeyRingState
{
    /// <summary>Nothing loaded yet (cold start, source not answered yet).</summary>
    Loading = 0,

    /// <summary>Keys loaded and the last refresh succeeded.</summary>
    Ready,

    /// <summary>Serving with the last good keys because the last refresh could not reach the source.</summary>
    Degraded,

    /// <summary>The source answered with no usable key: nothing is issued or accepted (fail closed).</summary>
    Invalid,

    /// <summary>No key was ever loaded because the source could not be reached.</summary>
    Unavailable,
}
