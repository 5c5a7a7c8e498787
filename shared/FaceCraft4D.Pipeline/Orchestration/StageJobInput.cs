using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>Input (and continue-as-new state) of the job sub-orchestration of a long stage.</summary>
/// <param name="Request">The stage work item.</param>
/// <param name="Policy">Polling and retry policy of the run.</param>
/// <param name="Polls">Polls made so far (across continue-as-new generations).</param>
/// <param name="Resubmits">Times the job was submitted again after the worker lost or failed it.</param>
/// <param name="Submitted">True once the job was submitted (later generations only poll; the run submitted it: <see cref="RunPolicy.JobsSubmittedByRun"/>).</param>
/// <param name="FirstState">The job's state as the run's submission left it (published at once as the custom status); null otherwise.</param>
public sealed record StageJobInput(
    StageRequest Request, RunPolicy Policy, int Polls = 0, int Resubmits = 0, bool Submitted = false, JobState? FirstState = null);

/// <summary>The custom status of a job sub-orchestration.</summary>
public sealed record StageJobStatus(string Stage, JobState State, JobProgress? Progress, int Polls, int Resubmits);
