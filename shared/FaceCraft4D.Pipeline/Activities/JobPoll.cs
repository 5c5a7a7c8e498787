using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Activities;

/// <summary>What the submit/poll activities of a long stage return to its orchestrator.</summary>
/// <param name="State">The job's state at the worker.</param>
/// <param name="Progress">Its latest progress.</param>
/// <param name="Outcome">Set once the job has succeeded and its checkpoint is written (or was reused).</param>
/// <param name="Resubmitted">True when the worker had lost or failed the job and it was submitted again (it resumes from its checkpoint).</param>
/// <param name="WorkerCalls">HTTP attempts of this activity execution.</param>
public sealed record JobPoll(JobState State, JobProgress? Progress, StageOutcome? Outcome, bool Resubmitted, int WorkerCalls);
