using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace JwtFunctions.TestSupport;

/// <summary>
/// A minimal HTTP CONNECT proxy on loopback, for a worker process started with
/// <c>HTTPS_PROXY=http://127.0.0.1:{Port}</c>: it tunnels exactly one name (e.g.
/// <c>jwtfunctions-test.vault.azure.net:443</c>) to a loopback port (the <see cref="TestKeyVault"/>'s
/// HTTPS listener) and refuses every other target with 403, so nothing leaves the machine.
/// TLS runs end to end through the tunnel: the client still checks the certificate against the
/// name it asked for. <see cref="Down"/> simulates a network outage: open tunnels are cut and new
/// CONNECTs are answered 502.
/// </summary>
public sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _allowedAuthority;
    private readonly int _targetPort;
    private readonly Action<string>? _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, (TcpClient Client, TcpClient Upstream)> _tunnels = new();
    private readonly Task _acceptLoop;
    private int _nextTunnel;
    private int _disposed;
    private volatile bool _down;

    public ConnectProxy(string allowedHost, int allowedPort, int targetPort, Action<string>? log = null)
    {
        _allowedAuthority = $"{allowedHost}:{allowedPort.ToString(CultureInfo.InvariantCulture)}";
        _targetPort = targetPort;
        _log = log;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>The value for <c>HTTPS_PROXY</c>.</summary>
    public string ProxyUrl => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>CONNECTs tunnelled to the target.</summary>
    public int TunnelsOpened;

    /// <summary>CONNECTs refused (wrong target, or while <see cref="Down"/>).</summary>
    public int Refused;

    /// <summary>
    /// While true the target is unreachable: setting it cuts every open tunnel (so pooled
    /// connections die too) and new CONNECTs get 502.
    /// </summary>
    public bool Down
    {
        get => _down;
        set
        {
            _down = value;
            if (value)
            {
                foreach (var id in _tunnels.Keys)
                {
                    if (_tunnels.TryRemove(id, out var tunnel))
                    {
                        tunnel.Client.Dispose();
                        tunnel.Upstream.Dispose();
                    }
                }
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        var id = Interlocked.Increment(ref _nextTunnel);
        TcpClient? upstream = null;
        try
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            var head = await ReadHeadAsync(stream).ConfigureAwait(false);
            var requestLine = head?.Split("\r\n", 2)[0] ?? string.Empty;
            var parts = requestLine.Split(' ');
            var authority = parts.Length == 3 && parts[0] == "CONNECT" ? parts[1] : null;
            if (authority is null || !string.Equals(authority, _allowedAuthority, StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref Refused);
                _log?.Invoke($"[proxy] refused '{requestLine}'");
                await WriteAsync(stream, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").ConfigureAwait(false);
                return;
            }

            if (_down)
            {
                Interlocked.Increment(ref Refused);
                await WriteAsync(stream, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").ConfigureAwait(false);
                return;
            }

            upstream = new TcpClient { NoDelay = true };
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token).ConfigureAwait(false);
            _tunnels[id] = (client, upstream);
            if (_down)
            {
                return;
            }

            Interlocked.Increment(ref TunnelsOpened);
            await WriteAsync(stream, "HTTP/1.1 200 Connection Established\r\n\r\n").ConfigureAwait(false);
            var upstreamStream = upstream.GetStream();
            await Task.WhenAny(PumpAsync(stream, upstreamStream), PumpAsync(upstreamStream, stream)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A cut tunnel or a client that went away.
        }
        finally
        {
            _tunnels.TryRemove(id, out _);
            upstream?.Dispose();
            client.Dispose();
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stopping.Token).ConfigureAwait(false)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>The request head up to the blank line, byte by byte so no tunnelled byte is consumed.</summary>
    private async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var head = new StringBuilder();
        var one = new byte[1];
        while (head.Length < 8192)
        {
            if (await stream.ReadAsync(one, timeout.Token).ConfigureAwait(false) == 0)
            {
                return null;
            }

            head.Append((char)one[0]);
            if (head.Length >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return head.ToString();
            }
        }

        return null;
    }

    private static Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Down = true;
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }
}
