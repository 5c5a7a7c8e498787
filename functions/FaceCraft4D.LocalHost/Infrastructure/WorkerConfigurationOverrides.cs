using Microsoft.Extensions.Configuration;

namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>
/// The settings given after <c>--</c> on the command line that the local stack's GPU worker processes must see too: a
/// stage setting such as <c>--Fc4d:Preprocess:MattingSettings:Selfie:Refinement:Enabled=false</c> is read by the worker
/// that runs the stage, not by the host, so without this it was silently ignored. Environment variables reach the
/// workers anyway (they inherit the environment). The stack's own sections stay with the host: <c>Fc4d:Local</c> (its
/// options, with any API tokens), <c>Fc4d:Durable</c>, and what the stack sets for each worker itself (storage, the
/// worker's key and parent process).
/// </summary>
public static class WorkerConfigurationOverrides
{
    private static readonly string[] HostOnlyPrefixes =
    [
        "Fc4d:Local:", "Fc4d:Durable:", "Fc4d:Storage:", "Fc4d:Worker:Auth:", "Fc4d:Worker:ParentProcessId",
    ];

    /// <summary>The flat key/value settings of <paramref name="configurationArgs"/> (the arguments after <c>--</c>) for the workers.</summary>
    public static IReadOnlyDictionary<string, string> From(IReadOnlyList<string> configurationArgs)
    {
        var settings = new ConfigurationBuilder().AddCommandLine(configurationArgs.ToArray()).Build();
        var forWorkers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings.AsEnumerable())
        {
            if (value is not null && !HostOnlyPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                forWorkers[key] = value;
            }
        }

        return forWorkers;
    }
}
