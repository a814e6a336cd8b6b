using JwtFunctions.Revocation;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging.Abstractions;

namespace JwtFunctions.Tests.Revocation;

/// <summary>The in-memory revocation list: local revocations are never lost to a reload.</summary>
public sealed class RevocationListTests
{
    private static TokenPrincipal Token(string tokenId = "jti-1", string sessionId = "sid-1", string subject = "alice", long generation = 0) =>
        new(subject, tokenId, sessionId, TokenKind.Access, DateTimeOffset.UtcNow.AddMinutes(15), generation);

    private static RevocationSet Empty() => new([], [], []);

    [Theory]
    [InlineData("token")]
    [InlineData("session")]
    [InlineData("generation")]
    public async Task ARevocationMadeWhileAReloadIsReadingSurvivesThatReload(string kind)
    {
        var reading = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var loads = 0;
        var list = new RevocationList(
            async (_, _) =>
            {
                if (++loads == 2)
                {
                    reading.SetResult();
                    await release.Task;
                }

                return Empty(); // the table as read before the revocation was written
            },
            TimeProvider.System,
            NullLogger<RevocationList>.Instance);
        Assert.True(await list.RefreshAsync(default));

        var reload = list.RefreshAsync(default);
        await reading.Task;
        switch (kind)
        {
            case "token":
                list.AddLocal(tokenId: "jti-1");
                break;
            case "session":
                list.AddLocal(sessionId: "sid-1");
                break;
            default:
                list.AddLocal(user: "alice", generation: 1);
                break;
        }

        Assert.True(list.IsRevoked(Token()));
        release.SetResult();
        Assert.True(await reload);

        Assert.True(list.IsRevoked(Token()), "the reload that began before the revocation dropped it");
        Assert.False(list.IsRevoked(Token(tokenId: "jti-2", sessionId: "sid-2", subject: "bob")));
    }

    [Fact]
    public async Task ALocalRevocationIsLeftToTheTableOnceAReloadStartedAfterIt()
    {
        var table = Empty();
        var list = new RevocationList((_, _) => Task.FromResult(table), TimeProvider.System, NullLogger<RevocationList>.Instance);
        Assert.True(await list.RefreshAsync(default));

        list.AddLocal(tokenId: "jti-1");
        table = new RevocationSet(["jti-1"], [], []);
        Assert.True(await list.RefreshAsync(default));
        Assert.True(list.IsRevoked(Token()));

        // Once the table no longer holds it (expired and cleaned up), neither does the list.
        table = Empty();
        Assert.True(await list.RefreshAsync(default));
        Assert.False(list.IsRevoked(Token()));
    }

    [Fact]
    public void NothingIsAcceptedBeforeTheFirstLoad()
    {
        var list = new RevocationList((_, _) => Task.FromResult(Empty()), TimeProvider.System, NullLogger<RevocationList>.Instance);

        list.AddLocal(tokenId: "other");

        Assert.True(list.IsRevoked(Token()));
    }
}
