using System.Net.Sockets;
using System.Text;

namespace JwtFunctions.EndToEnd.Tests.HostFidelity;

/// <summary>
/// A minimal HTTP/1.1 client over a socket, so that a row sends exactly the bytes it describes:
/// a header repeated on two lines, a non-ASCII (UTF-8) header value, HEAD, a 40 KB header, a body
/// with Content-Length or chunked. Every request says <c>Connection: close</c>; the answer is read
/// to the end of the connection.
/// </summary>
public static class RawHttp
{
    public sealed record Response(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
    {
        public IReadOnlyList<string> Values(string name) =>
            Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();

        public override string ToString() =>
            $"{Status}{Environment.NewLine}{string.Join(Environment.NewLine, Headers.Select(h => $"{h.Key}: {h.Value}"))}{Environment.NewLine}{Environment.NewLine}{Encoding.UTF8.GetString(Body)}";
    }

    public static async Task<Response> SendAsync(Uri baseAddress, string method, string target, IEnumerable<KeyValuePair<string, string>> headers, byte[]? body, bool chunked, CancellationToken cancellation)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port, cancellation);
        await using var stream = client.GetStream();
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(baseAddress.Authority).Append("\r\n");
        head.Append("Connection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (body is not null)
        {
            head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n");
        }

        head.Append("\r\n");
        var request = new MemoryStream();
        request.Write(Encoding.UTF8.GetBytes(head.ToString()));
        if (body is not null)
        {
            if (chunked)
            {
                request.Write(Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"));
                request.Write(body);
                request.Write("\r\n0\r\n\r\n"u8);
            }
            else
            {
                request.Write(body);
            }
        }

        try
        {
            await stream.WriteAsync(request.ToArray(), cancellation);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (431); read its answer.
        }

        var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, cancellation);
        }
        catch (IOException) when (received.Length > 0)
        {
            // A reset after the answer (the server closed with unread request bytes).
        }

        return Parse(received.ToArray(), method);
    }

    private static Response Parse(byte[] data, string method)
    {
        var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidOperationException($"No complete response head in {data.Length} bytes: {Encoding.UTF8.GetString(data)}");
        }

        var lines = Encoding.UTF8.GetString(data, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(p => KeyValuePair.Create(p[0].Trim(), p[1].Trim())).ToList();
        var rest = data.AsSpan(end + 4).ToArray();
        if (method == "HEAD" || status is 204 or 304)
        {
            return new Response(status, headers, rest);
        }

        if (headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            rest = Unchunk(rest);
        }

        return new Response(status, headers, rest);
    }

    private static byte[] Unchunk(byte[] data)
    {
        var output = new MemoryStream();
        var position = 0;
        while (position < data.Length)
        {
            var lineEnd = data.AsSpan(position).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(data, position, lineEnd).Split(';')[0], 16);
            position += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            output.Write(data, position, size);
            position += size + 2;
        }

        return output.ToArray();
    }
}
