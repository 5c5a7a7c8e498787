using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>Configuration section <c>Fc4d:GpuWorker</c>: where the workers are and how hard to try.</summary>
public sealed class GpuWorkerOptions
{
    public const string SectionName = "Fc4d:GpuWorker";

    /// <summary>Base URL of one worker (or several, separated by <c>;</c>).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Additional worker base URLs; work is spread over all by a hash of the job key (jobs stick to one worker).</summary>
    public List<string> BaseUrls { get; set; } = [];

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>HTTP retries after the first attempt (429, 5xx, 408, timeouts, connection errors).</summary>
    [Range(0, 20)] public int RetryCount { get; set; } = 6;

    /// <summary>Base of the exponential, jittered retry delay.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive handled failures that open the circuit of a worker.</summary>
    [Range(1, 1000)] public int CircuitBreakerFailures { get; set; } = 12;

    /// <summary>How long an open circuit rejects calls before a trial call.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Poll interval of a short stage's job inside its activity when the worker answers a long poll at once (a worker
    /// without long polls, or a job of another replica); otherwise the worker holds each poll open (<see cref="JobWait"/>).
    /// </summary>
    public TimeSpan ActivityPollInterval { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How long one status request may wait at the worker for its job to end (long poll: the worker answers the moment
    /// the job ends, so a stage's end is seen without a poll interval's delay). Short stages poll this way inside their
    /// activity; a long stage's poll activity waits this long before its orchestration's next durable timer. Capped at
    /// half of <see cref="AttemptTimeout"/>; zero turns long polls off.
    /// </summary>
    public TimeSpan JobWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest a short stage's job may take inside one activity execution. It must stay under the Functions host's
    /// <c>functionTimeout</c> (30 min in host.json), or the host kills the activity first with no clear reason; stages
    /// that can take longer are long-running (<see cref="Contracts.PipelineStages.IsLongRunning"/>) and are polled on
    /// durable timers instead, and so is every fan-out work item of runs with <see cref="Contracts.RunPolicy.WorkItemsAsJobs"/>
    /// (only the short single-item stages, and the items of runs started before that policy, still poll in an activity).
    /// </summary>
    public TimeSpan StageTimeout { get; set; } = MaxStageTimeout;

    /// <summary>Largest accepted <see cref="StageTimeout"/>: 5 minutes under host.json's 30-minute <c>functionTimeout</c>.</summary>
    public static TimeSpan MaxStageTimeout { get; } = TimeSpan.FromMinutes(25);

    /// <summary>
    /// Local stack: the key the host shares with the workers it started (<c>Fc4d:Worker:Auth:SharedKey</c> there),
    /// sent as <c>Authorization: Bearer</c>. Takes precedence over <see cref="TokenScope"/>.
    /// </summary>
    public string? SharedKey { get; set; }

    /// <summary>
    /// Azure: the scope of the worker's Entra app registration (<c>api://{worker api client id}/.default</c>); every
    /// call carries an access token for it from this app's managed identity.
    /// </summary>
    public string? TokenScope { get; set; }

    /// <summary>Client id of the user-assigned managed identity that requests <see cref="TokenScope"/> tokens (defaults to <c>AZURE_CLIENT_ID</c>).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>All configured worker base URLs, normalised, in configuration order.</summary>
    public IReadOnlyList<Uri> ResolveBaseUrls()
    {
        var all = (BaseUrl ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(BaseUrls.Where(u => !string.IsNullOrWhiteSpace(u)))
            .Select(u => new Uri(u.EndsWith('/') ? u : u + "/", UriKind.Absolute))
            .Distinct()
            .ToArray();
        return all.Length > 0
            ? all
            : throw new InvalidOperationException($"No GPU worker configured: set {SectionName}:BaseUrl.");
    }
}
