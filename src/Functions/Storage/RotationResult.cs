namespace JwtFunctions.Storage;

public enum RotationResult
{
    Rotated,

    /// <summary>No such token in this user's family.</summary>
    NotFound,

    /// <summary>The family was revoked (logout or earlier reuse).</summary>
    FamilyRevoked,

    /// <summary>The token was already spent: reuse. The family has now been revoked.</summary>
    Reused,

    /// <summary>Another request spent the token at the same moment (its ETag changed); that one won.</summary>
    LostRace,
}
