using System.Security.Cryptography;
using Azure.Data.Tables;
using JwtFunctions.Hosting;
using JwtFunctions.Revocation;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Infrastructure;

public static class TestKeys
{
    public static string NewBase64Key(int bytes = 32) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>A key ring loaded from a local key, as the app builds it.</summary>
    public static async Task<SigningKeyRing> LoadedRingAsync(string? base64Key = null, JwtOptions? options = null, TimeProvider? time = null)
    {
        var ring = new SigningKeyRing(new LocalSigningKeySource(base64Key ?? NewBase64Key()), Options.Create(options ?? new JwtOptions()), time ?? TimeProvider.System, NullLogger<SigningKeyRing>.Instance);
        await ring.RefreshAsync(CancellationToken.None);
        return ring;
    }

    /// <summary>
    /// A revocation list that is never loaded, for tests whose tokens are refused before the list
    /// is consulted; one that reached it would wait and get RevocationListUnavailable.
    /// </summary>
    public static RevocationList UnloadedRevocationList() =>
        new(new RevocationStore(new TableServiceClient("UseDevelopmentStorage=true"), Options.Create(new StorageOptions())), TimeProvider.System, NullLogger<RevocationList>.Instance);

    public static async Task<TokenService> TokenServiceAsync(string? base64Key = null, JwtOptions? options = null, TimeProvider? time = null)
    {
        options ??= new JwtOptions();
        return new TokenService(await LoadedRingAsync(base64Key, options, time), Options.Create(options), time ?? TimeProvider.System);
    }
}
