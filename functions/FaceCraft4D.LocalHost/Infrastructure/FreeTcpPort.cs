using System.Net;
using System.Net.Sockets;

namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>Finds free loopback ports.</summary>
public static class FreeTcpPort
{
    /// <summary>A port that was free on 127.0.0.1 a moment ago.</summary>
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts TCP connections on the loopback port.</summary>
    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout, Func<bool> stillStarting, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!stillStarting())
            {
                throw new InvalidOperationException($"{what} exited while starting.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"{what} did not listen on port {port} within {timeout.TotalSeconds:F0} s.");
    }
}
