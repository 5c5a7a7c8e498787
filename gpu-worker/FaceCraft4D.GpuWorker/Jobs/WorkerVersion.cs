using System.Reflection;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>The worker build's version, recorded in every result and checkpoint.</summary>
public sealed class WorkerVersion
{
    /// <summary>Informational version of the worker assembly.</summary>
    public string Value { get; } =
        typeof(WorkerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(WorkerVersion).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}
