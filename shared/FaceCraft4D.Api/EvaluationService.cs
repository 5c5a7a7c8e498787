using FaceCraft4D.Contracts;
using System.Text.Json.Nodes;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Evaluation;
using FaceCraft4D.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api;

/// <summary>Starts and reads evaluation batches (HTTP, timer, CLI).</summary>
public sealed class EvaluationService(DurableTaskClient client, IBlobStore blobs, IOptions<EvaluationOptions> options, TimeProvider time)
{
    private static readonly OrchestrationRuntimeStatus[] Active = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running];

    /// <summary>Starts a batch of the local owner (CLI, schedule) over <c>eval/sets/{setName}/</c>; returns its id.</summary>
    public Task<string> StartAsync(string setName, string? preset, JsonObject? settings, string trigger, CancellationToken cancellationToken) =>
        StartAsync(setName, preset, settings, trigger, RunIdentity.LocalOwner, cancellationToken);

    /// <summary>Starts a batch of <paramref name="owner"/> (who owns it and its avatar runs) over <c>eval/sets/{setName}/</c>; returns its id.</summary>
    public async Task<string> StartAsync(string setName, string? preset, JsonObject? settings, string trigger, string owner, CancellationToken cancellationToken)
    {
        if (!EvaluationLayout.IsValidSetName(setName))
        {
            throw new BadSubmissionException("invalid-set", $"'{setName}' is not a set name (lower-case letters, digits, '-' and '_', at most 64).");
        }

        var now = time.GetUtcNow();
        var batchId = $"eval-{setName}-{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}";
        var input = new EvaluationBatchInput(
            batchId, setName, preset ?? options.Value.Preset, settings?.ToJsonString(), options.Value.MaxParallelRuns, options.Value.MaxImages, trigger, owner);
        await client.ScheduleNewOrchestrationInstanceAsync(
            DurableNames.EvaluationBatchOrchestrator, input, new StartOrchestrationOptions(batchId), cancellationToken).ConfigureAwait(false);
        return batchId;
    }

    /// <summary>
    /// Refuses (400, <c>set-too-large</c>) a set holding more than <paramref name="maxImages"/> images; listing stops one
    /// past the limit, so a huge set costs no more than a small one. Also refuses a name that is not a set name.
    /// </summary>
    public async Task EnsureSetWithinAsync(string setName, int maxImages, CancellationToken cancellationToken)
    {
        if (!EvaluationLayout.IsValidSetName(setName))
        {
            throw new BadSubmissionException("invalid-set", $"'{setName}' is not a set name (lower-case letters, digits, '-' and '_', at most 64).");
        }

        var images = 0;
        await foreach (var blob in blobs.ListAsync(StorageLayout.EvalContainer, EvaluationLayout.SetPrefix(setName), cancellationToken).ConfigureAwait(false))
        {
            if (EvaluationLayout.ImageExtensions.Contains(Path.GetExtension(blob.Blob.Name).ToLowerInvariant()) && ++images > maxImages)
            {
                throw new BadSubmissionException("set-too-large",
                    $"Evaluation set '{setName}' holds more than {maxImages} images, the most a batch may take (each image is an avatar run); split the set.");
            }
        }
    }

    /// <summary>Pending or running evaluation batches: of everyone, and of <paramref name="owner"/> (from the durable store, so across hosts).</summary>
    public async Task<Limits.ActiveRunCount> CountActiveAsync(string owner, CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery { InstanceIdPrefix = "eval-", Statuses = Active, FetchInputsAndOutputs = true, PageSize = 100 };
        int total = 0, ofOwner = 0;
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (instance.Name != DurableNames.EvaluationBatchOrchestrator)
            {
                continue;
            }

            total++;
            if ((instance.ReadInputAs<EvaluationBatchInput>()?.Owner ?? RunIdentity.LocalOwner) == owner)
            {
                ofOwner++;
            }
        }

        return new Limits.ActiveRunCount(total, ofOwner);
    }

    /// <summary>Starts one batch per configured set (the schedule).</summary>
    public async Task<IReadOnlyList<string>> StartScheduledAsync(string trigger, CancellationToken cancellationToken)
    {
        var started = new List<string>();
        foreach (var set in options.Value.Sets.Where(EvaluationLayout.IsValidSetName))
        {
            started.Add(await StartAsync(set, options.Value.Preset, null, trigger, cancellationToken).ConfigureAwait(false));
        }

        return started;
    }

    /// <summary>Status of a batch, or null.</summary>
    public Task<EvaluationStatusView?> GetAsync(string batchId, CancellationToken cancellationToken) => GetAsync(batchId, owner: null, cancellationToken);

    /// <summary>Status of a batch, or null when there is none or (<paramref name="owner"/> not null) it is another owner's.</summary>
    public async Task<EvaluationStatusView?> GetAsync(string batchId, string? owner, CancellationToken cancellationToken)
    {
        if (!batchId.StartsWith("eval-", StringComparison.Ordinal))
        {
            return null;
        }

        var metadata = await client.GetInstanceAsync(batchId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null || metadata.Name != DurableNames.EvaluationBatchOrchestrator)
        {
            return null;
        }

        if (owner is not null && (metadata.ReadInputAs<EvaluationBatchInput>()?.Owner ?? RunIdentity.LocalOwner) != owner)
        {
            return null;
        }

        return new EvaluationStatusView(
            metadata.InstanceId,
            metadata.RuntimeStatus.ToString(),
            metadata.CreatedAt,
            metadata.LastUpdatedAt,
            metadata.SerializedCustomStatus is null ? null : metadata.ReadCustomStatusAs<EvaluationProgress>(),
            metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<EvaluationBatchOutput>() : null,
            metadata.RuntimeStatus == OrchestrationRuntimeStatus.Failed ? metadata.FailureDetails?.ErrorMessage ?? metadata.SerializedOutput : null);
    }
}

/// <summary><c>GET /api/evaluations/{id}</c>.</summary>
public sealed record EvaluationStatusView(
    string Id, string RuntimeStatus, DateTimeOffset CreatedTime, DateTimeOffset LastUpdatedTime,
    EvaluationProgress? Progress, EvaluationBatchOutput? Output, string? Error);
