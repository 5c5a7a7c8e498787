using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>
/// The state file an Azurite supervisor keeps in its data folder while it runs (<c>{"supervisorPid": ...}</c>,
/// removed when Azurite has exited). A host that starts while a previous host's Azurite is still saving its state
/// (the previous host was killed a moment ago) waits for that process to exit instead of starting a second Azurite
/// on the same data.
/// </summary>
public sealed class AzuriteSupervisorState(string path)
{
    /// <summary>The state file.</summary>
    public string Path { get; } = path;

    /// <summary>The pid of the supervisor named by the state file, if that process still runs and is a supervisor.</summary>
    public int? RunningSupervisor()
    {
        int pid;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path));
            pid = document.RootElement.GetProperty("supervisorPid").GetInt32();
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }

        return IsSupervisor(pid) ? pid : null;
    }

    /// <summary>Waits until no supervisor runs on this data folder; throws when one is still there after <paramref name="timeout"/>.</summary>
    public async Task WaitForPreviousToExitAsync(TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var logged = false;
        while (RunningSupervisor() is { } pid)
        {
            if (!logged)
            {
                logger.LogInformation("Waiting for the previous Azurite (supervisor pid {Pid}) to save its state and exit", pid);
                logged = true;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"Another Azurite (supervisor pid {pid}) still uses {System.IO.Path.GetDirectoryName(Path)} after {timeout.TotalSeconds:0} s; stop it first.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsSupervisor(int pid)
    {
        var cmdline = $"/proc/{pid}/cmdline";
        if (File.Exists(cmdline))
        {
            try
            {
                return File.ReadAllText(cmdline).Contains("azurite-supervisor", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // exited while reading
            }
        }

        if (OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
