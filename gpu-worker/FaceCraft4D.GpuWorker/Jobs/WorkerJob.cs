using FaceCraft4D.Contracts;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>One job in the worker's memory: a stage work item and its life cycle.</summary>
public sealed class WorkerJob(string id, StageRequest request, DateTimeOffset now)
{
    private readonly Lock gate = new();
    private JobState state = JobState.Queued;
    private JobProgress? progress;
    private StageResult? result;
    private string? error;
    private JobFailureKind? failure;
    private DateTimeOffset createdAt = now;
    private DateTimeOffset updatedAt = now;
    private JobClaim? claim;
    private bool claimLost;
    private TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The job id (the request's idempotency key).</summary>
    public string Id { get; } = id;

    /// <summary>The work item.</summary>
    public StageRequest Request { get; } = request;

    /// <summary>Cancelled by DELETE or when the worker stops.</summary>
    public CancellationTokenSource Cancellation { get; private set; } = new();

    /// <summary>This instance's claim on the job's ledger record; null before a claim and once it is lost.</summary>
    public JobClaim? Claim
    {
        get { lock (gate) { return claim; } }
    }

    /// <summary>The fencing token of the current claim (0 without one): written into the job's training state.</summary>
    public long Fence
    {
        get { lock (gate) { return claim?.Fence ?? 0; } }
    }

    /// <summary>True when another instance took the job over while it was claimed here.</summary>
    public bool ClaimLost
    {
        get { lock (gate) { return claimLost; } }
    }

    /// <summary>Records a (re)claim or a successful conditional write.</summary>
    public void Renew(JobClaim value)
    {
        lock (gate)
        {
            claim = value;
            claimLost = false;
        }
    }

    /// <summary>Another instance took the job over: drops the claim and cancels the run here.</summary>
    public void LoseClaim(JobClaim lost)
    {
        lock (gate)
        {
            if (claim is null || claim.Fence != lost.Fence)
            {
                return;
            }

            claim = null;
            claimLost = true;
        }

        try
        {
            Cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // requeued meanwhile
        }
    }

    /// <summary>Times the job was (re)started.</summary>
    public int Runs { get; private set; }

    /// <summary>Current state.</summary>
    public JobState State
    {
        get { lock (gate) { return state; } }
    }

    /// <summary>When the job last changed.</summary>
    public DateTimeOffset UpdatedAt
    {
        get { lock (gate) { return updatedAt; } }
    }

    /// <summary>True when a new submission of the same key should run the job again (internal failure or cancellation).</summary>
    public bool IsRestartable
    {
        get { lock (gate) { return state is JobState.Cancelled || (state is JobState.Failed && failure == JobFailureKind.Internal); } }
    }

    /// <summary>Completes when the current run of the job ends (succeeded, failed or cancelled); long polls wait on it.</summary>
    public Task WhenEnded
    {
        get { lock (gate) { return ended.Task; } }
    }

    /// <summary>Puts a failed or cancelled job back in the queue.</summary>
    public void Requeue(DateTimeOffset now)
    {
        lock (gate)
        {
            state = JobState.Queued;
            error = null;
            failure = null;
            result = null;
            createdAt = now;
            updatedAt = now;
            if (ended.Task.IsCompleted)
            {
                ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            Cancellation.Dispose();
            Cancellation = new CancellationTokenSource();
        }
    }

    /// <summary>Marks the job as running.</summary>
    public void Started(DateTimeOffset now)
    {
        lock (gate)
        {
            state = JobState.Running;
            Runs++;
            updatedAt = now;
        }
    }

    /// <summary>Records progress.</summary>
    public void Report(JobProgress value, DateTimeOffset now)
    {
        lock (gate)
        {
            progress = value;
            updatedAt = now;
        }
    }

    /// <summary>Records success.</summary>
    public void Succeeded(StageResult value, DateTimeOffset now)
    {
        lock (gate)
        {
            result = value;
            state = JobState.Succeeded;
            updatedAt = now;
        }

        ended.TrySetResult();
    }

    /// <summary>Records failure or cancellation.</summary>
    public void Ended(JobState endState, string message, JobFailureKind? kind, DateTimeOffset now)
    {
        lock (gate)
        {
            state = endState;
            error = message;
            failure = kind;
            updatedAt = now;
        }

        ended.TrySetResult();
    }

    /// <summary>The wire status.</summary>
    public JobStatus ToStatus()
    {
        lock (gate)
        {
            return new JobStatus(Id, Request.Stage, state, progress, result, error, failure, createdAt, updatedAt);
        }
    }
}
