using System.Net;
using System.Net.Sockets;
using JwtFunctions.EndToEnd.Tests.TwoInstances;

namespace JwtFunctions.EndToEnd.Tests.Throttling;

/// <summary>
/// Two instances on one Azurite (<see cref="TwoInstancesFixture"/>) with small password-attempt
/// limits: <see cref="PerSourceLimit"/> per source and <see cref="PerUsernameLimit"/> per username
/// a minute. Each test speaks from loopback addresses of its own (127.0.0.0/8 is all loopback on
/// Linux), so the counts of one test never reach another's.
/// </summary>
public sealed class ThrottledInstancesFixture : TwoInstancesFixture
{
    public const int PerSourceLimit = 6;
    public const int PerUsernameLimit = 4;

    private static int _nextSource = 10;

    protected override IReadOnlyDictionary<string, string> ThrottleSettings { get; } = new Dictionary<string, string>
    {
        ["Throttling__PerSourceLimit"] = PerSourceLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Throttling__PerUsernameLimit"] = PerUsernameLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Throttling__Window"] = "00:01:00",
    };

    /// <summary>A loopback address no other test has used.</summary>
    public static IPAddress NewSource()
    {
        var n = Interlocked.Increment(ref _nextSource);
        return new IPAddress([127, 0, (byte)(n / 250), (byte)(2 + n % 250)]);
    }

    /// <summary>A client of instance <paramref name="instance"/> whose connections come from <paramref name="source"/>.</summary>
    public HttpClient ClientFrom(IPAddress source, int instance)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Clients[instance % 2].BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }
}

[CollectionDefinition(Name)]
public sealed class ThrottledInstancesCollection : ICollectionFixture<ThrottledInstancesFixture>
{
    public const string Name = "Two throttled instances";
}
