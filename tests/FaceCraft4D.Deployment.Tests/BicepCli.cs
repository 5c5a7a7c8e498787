using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>Result of one Bicep CLI invocation.</summary>
/// <param name="ExitCode">Process exit code.</param>
/// <param name="StandardOutput">Everything written to stdout.</param>
/// <param name="StandardError">Everything written to stderr (where Bicep reports diagnostics).</param>
public sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    // "<file>(<line>,<col>) : Warning <code>: <message>"
    private static readonly Regex DiagnosticLine = new(@"^.+\(\d+,\d+\) : (Error|Warning|Info) \S+: .*$", RegexOptions.Multiline);

    /// <summary>Every compiler or linter diagnostic, whatever its level.</summary>
    public IReadOnlyList<string> Diagnostics =>
        [.. DiagnosticLine.Matches(StandardOutput + "\n" + StandardError).Select(m => m.Value.Trim())];

    public override string ToString() => $"exit {ExitCode}\n{StandardOutput}\n{StandardError}";
}

/// <summary>
/// The Bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64). Its path is baked into the test assembly
/// at build time (AssemblyMetadata "BicepPath"), so tests run exactly the version pinned in Directory.Packages.props.
/// </summary>
public sealed class BicepCli
{
    // Variables the .bicepparam files read: cleared so results do not depend on the caller's shell.
    private static readonly string[] IsolatedVariables =
        ["AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_PRINCIPAL_ID", "AZURE_PRINCIPAL_TYPE", "FC4D_GPU_WORKER_IMAGE"];

    private readonly string executable;
    private readonly TimeSpan timeout;

    public BicepCli(string executable, TimeSpan timeout)
    {
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException("The Bicep CLI is missing; restore the test project.", executable);
        }

        EnsureExecutable(executable);
        this.executable = executable;
        this.timeout = timeout;
    }

    /// <summary>The CLI from the package this assembly was built against.</summary>
    public static BicepCli FromNuGetPackage(TimeSpan timeout)
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepPath")?.Value;
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidOperationException("The test assembly carries no BicepPath metadata.");
        }

        return new BicepCli(path, timeout);
    }

    public async Task<BicepRun> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var variable in IsolatedVariables)
        {
            startInfo.Environment.Remove(variable);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
        var standardError = process.StandardError.ReadToEndAsync(timeoutSource.Token);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return new BicepRun(process.ExitCode, await standardOutput, await standardError);
    }

    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }
}
