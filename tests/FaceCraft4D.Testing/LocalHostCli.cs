using System.Diagnostics;
using FaceCraft4D.LocalHost.Infrastructure;

namespace FaceCraft4D.Testing;

/// <summary>
/// One run of the real <c>fc4d-local</c> executable (what <c>./fc4d ...</c> runs), output redirected (so plain progress
/// lines, never a prompt) and captured.
/// </summary>
public static class LocalHostCli
{
    /// <summary>
    /// Runs <c>dotnet fc4d-local.dll ARGUMENTS</c> with extra <paramref name="environment"/> variables (which child
    /// processes such as the workers inherit) and returns its exit code and its stdout + stderr. The models mirror
    /// variable is cleared so only <c>--mirror</c> counts.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(RepositoryLayout.Locate().LocalHostAssembly());
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["FC4D_MODELS_MIRROR"] = "";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fc4d-local {string.Join(' ', info.ArgumentList.Skip(1))} ran past {timeout}: {await stdout.ConfigureAwait(false)}");
        }

        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }
}
