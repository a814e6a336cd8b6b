using System.Net;
using System.Net.Sockets;

namespace JwtFunctions.TestSupport;

public static class FreePort
{
    /// <summary>A loopback port the OS just handed out; free again at return, so take it quickly.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
