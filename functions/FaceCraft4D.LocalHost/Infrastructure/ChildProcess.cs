using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>
/// A child process of the local stack whose lifetime and output do not depend on this process: it runs in its own
/// session (<c>setsid</c>, so the SIGINT a terminal sends to the foreground group on Ctrl+C does not reach it; this
/// process stops it in order instead), and its stdout/stderr go straight to a log file (never through a pipe this
/// process reads, so this process dying cannot kill it on a broken pipe). Its stdin is a pipe whose write end only
/// this process holds: EOF there tells the child that this process died, even by SIGKILL (the Azurite supervisor
/// listens for it; the worker also polls this process's pid). Stopped gracefully (SIGTERM, then kill) on disposal.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    // Redirects the program's output to the log file and detaches it into its own session, then becomes it (exec:
    // the pid this process holds is the program's own). Without setsid(1) (e.g. macOS) the program stays in our group.
    private const string Launcher =
        "if command -v setsid >/dev/null 2>&1; then exec setsid \"$@\" >>\"$FC4D_CHILD_LOG\" 2>&1; " +
        "else exec \"$@\" >>\"$FC4D_CHILD_LOG\" 2>&1; fi";

    private readonly Process process;
    private readonly TimeSpan stopGrace;

    private ChildProcess(Process process, string name, TimeSpan stopGrace)
    {
        this.process = process;
        this.stopGrace = stopGrace;
        Name = name;
    }

    /// <summary>Short name for messages.</summary>
    public string Name { get; }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !process.HasExited;

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>
    /// Starts a process with extra environment variables, its output appended to <paramref name="logFile"/>.
    /// <paramref name="stopGrace"/>: how long <see cref="DisposeAsync"/> waits after SIGTERM before killing (default 15 s).
    /// </summary>
    public static ChildProcess Start(
        string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile,
        TimeSpan? stopGrace = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var windows = OperatingSystem.IsWindows();
        var info = new ProcessStartInfo(windows ? fileName : "/bin/sh")
        {
            RedirectStandardInput = !windows,
            UseShellExecute = false,
        };
        if (!windows)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(Launcher);
            info.ArgumentList.Add(name);
            info.ArgumentList.Add(fileName);
            info.Environment["FC4D_CHILD_LOG"] = Path.GetFullPath(logFile);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {name} ({fileName}).");
        }

        return new ChildProcess(process, name, stopGrace ?? TimeSpan.FromSeconds(15));
    }

    /// <summary>Sends SIGTERM, waits up to <paramref name="grace"/>, then kills.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = SendSignal(process.Id, 15);
        }
        else
        {
            process.Kill(entireProcessTree: true);
        }

        using var wait = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(stopGrace).ConfigureAwait(false);
        process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
