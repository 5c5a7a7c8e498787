using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.GpuWorker.Scaling;

/// <summary>
/// Configuration section <c>Fc4d:Worker:JobQueue</c>: the storage queue that holds one message per job a replica holds,
/// which the Container Apps scale rule (KEDA <c>azure-queue</c>) counts. Without <see cref="Name"/> nothing is signalled
/// (the local stack: nothing scales there).
/// </summary>
public sealed class JobQueueOptions
{
    public const string SectionName = "Fc4d:Worker:JobQueue";

    /// <summary>Queue name (Azure: <c>worker-jobs</c>, created by bicep/modules/gpu-worker.bicep); null or empty disables the signal.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Life of one message. A replica renews its messages well within it, so the messages of a replica that died without
    /// stopping (OOM kill, node loss) disappear by themselves and stop holding GPUs.
    /// </summary>
    public TimeSpan MessageTimeToLive { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the messages of held jobs are replaced by fresh ones (must be well under <see cref="MessageTimeToLive"/>).</summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>Why the options cannot work, or null.</summary>
    public string? Problem() =>
        string.IsNullOrWhiteSpace(Name) || (RenewEvery > TimeSpan.Zero && RenewEvery * 2 <= MessageTimeToLive)
            ? null
            : $"{SectionName}:RenewEvery ({RenewEvery}) must be positive and at most half of MessageTimeToLive ({MessageTimeToLive}).";
}
