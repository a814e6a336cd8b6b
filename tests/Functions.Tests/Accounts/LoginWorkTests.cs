using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using JwtFunctions.Accounts;
using JwtFunctions.Hosting;
using JwtFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Accounts;

/// <summary>
/// Usernames cannot be told apart by timing because every kind of refused login does the same
/// work, counted rather than timed: the same storage round trips (reads and writes) and the same
/// password-hashing work at the current cost (<c>jwtfunctions.password.hash_work</c>), for a wrong
/// password, an unknown username, a locked account and an account whose stored hash is older than
/// the current cost. Timings of the same: bench/login-timing.sh.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LoginWorkTests(AzuriteFixture azurite)
{
    private const string Password = "correct horse battery staple";
    private const string Wrong = "not the right password";

    private readonly RequestLog _requests = new();

    private Task<TestServices> StartAsync(params (string Key, string Value)[] settings) =>
        TestServices.StartAsync(
            azurite,
            overrides: settings.ToDictionary(s => s.Key, s => (string?)s.Value),
            configure: services => services.AddSingleton(azurite.CreateServiceClient(_requests)));

    private static async Task LockAsync(TestServices app, string user)
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync(user, Wrong, default)).Failure);
        }
    }

    [Fact]
    public async Task EveryRefusalKindMakesTheSameStorageReadsAndWrites()
    {
        await using var app = await StartAsync();
        var table = app.Settings["Storage:UsersTable"]!;
        Assert.Equal(RegistrationResult.Created, await app.Accounts.RegisterAsync("alice", Password, default));
        Assert.Equal(RegistrationResult.Created, await app.Accounts.RegisterAsync("carol", Password, default));
        await LockAsync(app, "carol");

        var kinds = new Dictionary<string, (string User, string Password)>
        {
            ["wrong password"] = ("alice", Wrong),
            ["unknown username"] = ("nobody-here", Wrong),
            ["locked account (right password)"] = ("carol", Password),
        };
        var work = new Dictionary<string, (int Reads, int Writes)>();
        foreach (var (kind, (user, password)) in kinds)
        {
            _requests.Clear();
            Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync(user, password, default)).Failure);
            var requests = _requests.For(table);
            work[kind] = (requests.Count(m => m == "GET"), requests.Count(m => m != "GET"));
        }

        // A wrong password: the user row, the lock-out reservation (read, write) and settlement (read, write).
        Assert.Equal((3, 2), work["wrong password"]);
        Assert.All(work, pair => Assert.True(pair.Value == work["wrong password"], $"{pair.Key}: {pair.Value} round trips (reads, writes), a wrong password {work["wrong password"]}"));
    }

    [Theory]
    [InlineData("Pbkdf2")]
    [InlineData("Argon2id")]
    public async Task EveryRefusalKindComputesTheCurrentHashCostAndAnOlderHashIsPaddedToIt(string algorithm)
    {
        await using var app = await StartAsync(("Accounts:PasswordHashAlgorithm", algorithm));
        Assert.Equal(RegistrationResult.Created, await app.Accounts.RegisterAsync("alice", Password, default));
        Assert.Equal(RegistrationResult.Created, await app.Accounts.RegisterAsync("carol", Password, default));
        Assert.Equal(RegistrationResult.Created, await app.Accounts.RegisterAsync("dave", Password, default));
        await LockAsync(app, "carol");

        // dave's hash predates the current cost: PBKDF2 at 100,000 iterations, or Argon2id at m=7168 t=5.
        var legacyOptions = algorithm == "Pbkdf2"
            ? new AccountOptions { PasswordHashAlgorithm = PasswordHashAlgorithm.Pbkdf2, PasswordHashIterations = 100_000 }
            : new AccountOptions { PasswordHashAlgorithm = PasswordHashAlgorithm.Argon2id, Argon2MemoryKiB = 7168, Argon2Iterations = 5 };
        var legacyWork = algorithm == "Pbkdf2" ? 100_000L : 7168L * 5;
        var users = app.Get<UserStore>();
        var dave = (await users.FindAsync("dave", default))!;
        Assert.True(await users.TryUpdatePasswordHashAsync(dave, new PasswordHasher(Options.Create(legacyOptions)).Hash(Password), default));

        var current = algorithm == "Pbkdf2" ? 600_000L : 19_456L * 2;
        var tag = algorithm == "Pbkdf2" ? "pbkdf2-sha256" : "argon2id";
        using var work = new HashWork(app.Get<IMeterFactory>());
        var kinds = new Dictionary<string, (string User, string Password)>
        {
            ["wrong password"] = ("alice", Wrong),
            ["unknown username"] = ("nobody-here", Wrong),
            ["locked account (right password)"] = ("carol", Password),
            ["older hash, wrong password"] = ("dave", Wrong),
        };
        var measured = new Dictionary<string, IReadOnlyDictionary<string, long>>();
        foreach (var (kind, (user, password)) in kinds)
        {
            work.Clear();
            Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync(user, password, default)).Failure);
            measured[kind] = work.Snapshot();
        }

        foreach (var kind in new[] { "wrong password", "unknown username", "locked account (right password)" })
        {
            Assert.Equal(new Dictionary<string, long> { [tag] = current }, measured[kind]);
        }

        // PBKDF2: the stored 100,000 iterations and the 500,000 it lacks, exactly the current cost.
        // Argon2id: the stored lower cost and the current cost in full (never less than any other).
        Assert.Equal(new Dictionary<string, long> { [tag] = algorithm == "Pbkdf2" ? current : legacyWork + current }, measured["older hash, wrong password"]);
    }

    /// <summary>The HTTP methods sent to Table Storage, by table.</summary>
    private sealed class RequestLog : HttpPipelinePolicy
    {
        private readonly ConcurrentQueue<(string Path, string Method)> _sent = new();

        public void Clear() => _sent.Clear();

        public List<string> For(string table) =>
            _sent.Where(r => r.Path.TrimStart('/').Split('/').Skip(1).FirstOrDefault() is { } segment && segment.StartsWith(table, StringComparison.Ordinal))
                .Select(r => r.Method).ToList();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message) => _sent.Enqueue((message.Request.Uri.Path, message.Request.Method.Method));
    }

    /// <summary>Sums <c>jwtfunctions.password.hash_work</c> of one app (its meter factory) by algorithm.</summary>
    private sealed class HashWork : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _sums = new();

        public HashWork(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == scope && instrument.Name == "jwtfunctions.password.hash_work")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "algorithm")
                    {
                        _sums.AddOrUpdate((string)tag.Value!, value, (_, sum) => sum + value);
                    }
                }
            });
            _listener.Start();
        }

        public void Clear() => _sums.Clear();

        public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_sums);

        public void Dispose() => _listener.Dispose();
    }
}
