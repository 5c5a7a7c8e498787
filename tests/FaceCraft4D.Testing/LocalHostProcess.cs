using System.Diagnostics;
using System.Text.RegularExpressions;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Testing;

/// <summary>
/// The real local host executable (<c>fc4d-local host</c>) as a separate process on existing storage and workers,
/// so a test can kill it with SIGKILL and start it again. Its console log and the logs of the processes it starts
/// (Azurite, GPU workers: <c>{Fc4d:Local:DataDirectory}/logs</c>) are its <see cref="LogPaths"/>, which
/// <see cref="FailedTestLogs"/> keeps when the test fails; a host that does not start fails with the tail of its log.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable, IHasLogs
{
    private readonly Process process;
    private bool disposed;

    private LocalHostProcess(Process process, string baseUrl, string logFile, string? dataDirectory)
    {
        this.process = process;
        BaseUrl = baseUrl;
        LogFile = logFile;
        LogPaths = dataDirectory is null ? [logFile] : [logFile, LogDirectory(dataDirectory)];
    }

    /// <summary>The API base URL.</summary>
    public string BaseUrl { get; }

    /// <summary>Where the process's output goes.</summary>
    public string LogFile { get; }

    /// <inheritdoc />
    public IEnumerable<string> LogPaths { get; }

    /// <summary>
    /// The logs a host started with <paramref name="configuration"/> writes to <paramref name="logFile"/> (its console) and its
    /// data folder's <c>logs</c>, for registering with <see cref="FailedTestLogs"/> before the host is started.
    /// </summary>
    public static IEnumerable<string> LogPathsOf(IReadOnlyDictionary<string, string> configuration, string logFile) =>
        DataDirectoryOf(configuration) is { } data ? [logFile, LogDirectory(data)] : [logFile];

    /// <summary>The host's process id (in its own process group when started with <c>ownProcessGroup</c>).</summary>
    public int Id => process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>
    /// Starts the host and waits until its API answers. <paramref name="ownProcessGroup"/>: run it as the leader of
    /// its own session and process group (<c>setsid</c>), as a shell runs a foreground command, so that
    /// <see cref="InterruptGroup"/> can send SIGINT to the whole group the way a terminal does on Ctrl+C.
    /// </summary>
    public static async Task<LocalHostProcess> StartAsync(
        int port, IReadOnlyDictionary<string, string> configuration, string logFile, bool ownProcessGroup = false, TimeSpan? startTimeout = null)
    {
        var info = new ProcessStartInfo(ownProcessGroup ? "setsid" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ownProcessGroup)
        {
            // A test run started as a background job of a non-interactive shell (`cmd &`) inherits SIGINT ignored and so
            // would the host, which then never sees the Ctrl+C a test sends; a terminal's foreground job has the default.
            if (SigIntIgnoredHere())
            {
                info.ArgumentList.Add("env");
                info.ArgumentList.Add("--default-signal=INT");
            }

            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(RepositoryLayout.Locate().LocalHostAssembly());
        info.ArgumentList.Add("host");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--");
        foreach (var argument in TestConfiguration.AsArguments(configuration))
        {
            info.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var baseUrl = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var timeout = startTimeout ?? TimeSpan.FromSeconds(90);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The local host exited while starting; see {logFile}.{LogTail(logFile)}");
            }

            try
            {
                using var response = await http.GetAsync($"{baseUrl}/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return new LocalHostProcess(process, baseUrl, logFile, DataDirectoryOf(configuration));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The local host did not answer within {timeout.TotalSeconds:0} s; see {logFile}.{LogTail(logFile)}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Starts the host as a user runs it from a terminal: its own process group (Ctrl+C reaches all its processes) and
    /// time to start its own Azurite and worker on a loaded machine.
    /// </summary>
    public static Task<LocalHostProcess> StartInOwnGroupAsync(int port, IReadOnlyDictionary<string, string> configuration, string logFile) =>
        StartAsync(port, configuration, logFile, ownProcessGroup: true, startTimeout: TimeSpan.FromSeconds(150));

    /// <summary>
    /// The blob storage of the host writing <paramref name="logFile"/>, reached from outside through the endpoint of its
    /// Azurite that it logged last (a restarted host on the same data folder logs a new one).
    /// </summary>
    public static async Task<AzureBlobStore> BlobStoreAsync(string logFile)
    {
        string text;
        await using (var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = new StreamReader(stream))
        {
            text = await reader.ReadToEndAsync();
        }

        var endpoint = Regex.Matches(text, @"BlobEndpoint=(http://127\.0\.0\.1:\d+/devstoreaccount1)").Last().Groups[1].Value;
        return new AzureBlobStore(BlobServiceClientFactory.Create(new StorageOptions
        {
            ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteServer.DevelopmentAccountKey};BlobEndpoint={endpoint};",
        }));
    }

    private static string? DataDirectoryOf(IReadOnlyDictionary<string, string> configuration) =>
        configuration.TryGetValue("Fc4d:Local:DataDirectory", out var data) && data.Length > 0 ? data : null;

    private static string LogDirectory(string dataDirectory) => Path.Combine(dataDirectory, "logs");

    private static string LogTail(string logFile)
    {
        try
        {
            return $" Its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, FailedTestLogs.Tail(logFile, 30))}";
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void KillHard()
    {
        process.Kill(entireProcessTree: false);
        process.WaitForExit();
    }

    /// <summary>SIGINT to the host's whole process group, as a terminal sends it on Ctrl+C.</summary>
    public void InterruptGroup()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", "--", $"-{process.Id}" }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>Whether this process ignores SIGINT (its <c>SigIgn</c> mask in <c>/proc/self/status</c> has signal 2), which children inherit.</summary>
    private static bool SigIntIgnoredHere()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is not null
                && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var mask)
                && (mask & (1UL << (2 - 1))) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits for the process to exit; false when it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return; // a test's cleanup may dispose a host the test itself already stopped
        }

        disposed = true;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
