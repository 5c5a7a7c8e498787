using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace FaceCraft4D.Testing;

/// <summary>
/// Starts the Durable Task in-process test host (<see cref="DurableTaskTestHost"/>: the in-memory engine behind a gRPC
/// sidecar, a worker and a client). The host picks a random port and then binds it; with many hosts starting in parallel
/// another one can take the port in between ("address already in use", seen in CI), so the start is retried a few times.
/// </summary>
public static class InProcessDurableHost
{
    private const int Attempts = 5;

    /// <summary>A started host with <paramref name="registry"/>'s orchestrators and activities.</summary>
    public static async Task<DurableTaskTestHost> StartAsync(
        Action<DurableTaskRegistry> registry, DurableTaskTestHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(registry, options, cancellationToken);
            }
            catch (IOException e) when (attempt < Attempts && IsPortTaken(e))
            {
                await Task.Delay(50 * attempt, cancellationToken);
            }
        }
    }

    /// <summary>True when binding failed because the port was taken.</summary>
    public static bool IsPortTaken(IOException e) => e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
}
