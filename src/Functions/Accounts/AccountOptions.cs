using JwtFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>User accounts, bound from the <c>Accounts</c> configuration section.</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>OWASP's PBKDF2-HMAC-SHA256 recommendation (Password Storage Cheat Sheet), also the minimum accepted.</summary>
    public const int MinimumPasswordHashIterations = 600_000;

    /// <summary>
    /// Whether <c>POST /api/v1.0/register</c> creates accounts. Default <c>false</c>: the endpoint
    /// answers 404, and accounts are created by an operator. <c>local.settings.json.example</c> turns it on.
    /// </summary>
    public bool RegistrationEnabled { get; set; }

    /// <summary>
    /// PBKDF2-HMAC-SHA256 iterations for new password hashes. Default and minimum 600,000. Raising it
    /// rehashes each password at its owner's next successful login.
    /// </summary>
    public int PasswordHashIterations { get; set; } = MinimumPasswordHashIterations;

    // Password hashing: algorithm, Argon2id cost, concurrency gate.

    /// <summary>
    /// The algorithm for new password hashes. Default <see cref="PasswordHashAlgorithm.Argon2id"/>,
    /// OWASP's first choice (Password Storage Cheat Sheet, "Argon2id"). <see cref="PasswordHashAlgorithm.Pbkdf2"/>
    /// for deployments that must use a FIPS-140 approved algorithm. Hashes of the other kind still
    /// verify and are replaced at their owner's next successful login.
    /// </summary>
    public PasswordHashAlgorithm PasswordHashAlgorithm { get; set; } = PasswordHashAlgorithm.Argon2id;

    /// <summary>Argon2id memory per hash in KiB (m). Default 19,456 (19 MiB), OWASP's minimum with t=2, p=1.</summary>
    public int Argon2MemoryKiB { get; set; } = 19_456;

    /// <summary>Argon2id passes over the memory (t). Default 2, OWASP's minimum with m=19 MiB.</summary>
    public int Argon2Iterations { get; set; } = 2;

    /// <summary>
    /// Password hashes (and verifications) one instance computes at once; more wait for a slot.
    /// Bounds the memory of a login burst: at most this many Argon2id buffers of
    /// <see cref="Argon2MemoryKiB"/> each (bench/README.md, "Memory"). Default 4.
    /// </summary>
    public int MaxConcurrentPasswordHashes { get; set; } = 4;

    /// <summary>
    /// How long a login waits for a hashing slot before it gets 503 <c>temporarily_unavailable</c>
    /// with <c>Retry-After</c>. Default 5 seconds; 00:00:00 refuses at once when every slot is busy.
    /// </summary>
    public TimeSpan PasswordHashQueueTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Failed logins within <see cref="LockoutWindow"/> that lock the account. Default 5.</summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>The window failures are counted in. Default 15 minutes.</summary>
    public TimeSpan LockoutWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The first lock-out's length; each further one in a row doubles it. Default 5 minutes.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest lock-out, however often it repeats. Default 1 hour.</summary>
    public TimeSpan MaxLockoutDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A session's absolute lifetime, from its login: no refresh after it, however recent the last
    /// one (ASVS 5.0 V7.3: sessions end at an absolute timeout). Default 30 days.
    /// </summary>
    public TimeSpan MaxSessionLifetime { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Start-up checks of <see cref="AccountOptions"/>, each message saying how to fix it.</summary>
public sealed class AccountOptionsValidator : IValidateOptions<AccountOptions>
{
    public const int MaximumPasswordHashIterations = 10_000_000;

    public ValidateOptionsResult Validate(string? name, AccountOptions options)
    {
        var failures = new List<string>();
        if (options.PasswordHashIterations is < AccountOptions.MinimumPasswordHashIterations or > MaximumPasswordHashIterations)
        {
            failures.Add($"Accounts:PasswordHashIterations must be between {AccountOptions.MinimumPasswordHashIterations:N0} (OWASP's minimum for PBKDF2-HMAC-SHA256) and {MaximumPasswordHashIterations:N0}; the default is {AccountOptions.MinimumPasswordHashIterations:N0}.");
        }

        // Password hashing.
        if (!Enum.IsDefined(options.PasswordHashAlgorithm))
        {
            failures.Add("Accounts:PasswordHashAlgorithm must be Argon2id (the default) or Pbkdf2 (for FIPS-140 deployments).");
        }

        if (PasswordHashCost.Argon2ShortfallMessage(options.Argon2MemoryKiB, options.Argon2Iterations) is { } argon2)
        {
            failures.Add(argon2);
        }

        if (options.MaxConcurrentPasswordHashes is < 1 or > PasswordHashCost.MaximumConcurrentHashes)
        {
            failures.Add($"Accounts:MaxConcurrentPasswordHashes must be between 1 and {PasswordHashCost.MaximumConcurrentHashes} (default 4); at Argon2id's default each concurrent hash holds 19 MiB.");
        }

        if (options.PasswordHashQueueTimeout < TimeSpan.Zero || options.PasswordHashQueueTimeout > TimeSpan.FromSeconds(30))
        {
            failures.Add("Accounts:PasswordHashQueueTimeout must be between 00:00:00 and 00:00:30 (default 00:00:05).");
        }

            if (options.LockoutThreshold is < 3 or > 100)
        {
            failures.Add("Accounts:LockoutThreshold must be between 3 and 100 failed logins (default 5).");
        }

        if (options.LockoutWindow < TimeSpan.FromMinutes(1) || options.LockoutWindow > TimeSpan.FromDays(1))
        {
            failures.Add("Accounts:LockoutWindow must be between 00:01:00 and 1.00:00:00 (default 00:15:00).");
        }

        if (options.LockoutDuration < TimeSpan.FromSeconds(1) || options.MaxLockoutDuration < options.LockoutDuration || options.MaxLockoutDuration > TimeSpan.FromDays(1))
        {
            failures.Add("Accounts:LockoutDuration must be at least 00:00:01 and Accounts:MaxLockoutDuration between it and 1.00:00:00 (defaults 00:05:00 and 01:00:00).");
        }

        if (options.MaxSessionLifetime < TimeSpan.FromMinutes(1) || options.MaxSessionLifetime > TimeSpan.FromDays(365))
        {
            failures.Add("Accounts:MaxSessionLifetime must be between 00:01:00 and 365.00:00:00 (default 30.00:00:00).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class AccountsServiceCollectionExtensions
{
    /// <summary>Accounts, password hashing and the token endpoints' logic.</summary>
    internal static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddValidatedOptions<AccountOptions, AccountOptionsValidator>(AccountOptions.SectionName);
        services.TryAddSingleton<PasswordHashGate>();
        services.TryAddSingleton<PasswordHasher>();
        services.TryAddSingleton<AccountLockout>();
        services.AddValidatedOptions<ThrottleOptions, ThrottleOptionsValidator>(ThrottleOptions.SectionName);
        services.TryAddSingleton<LoginThrottle>();
        services.TryAddSingleton<AccountService>();
        return services;
    }
}
