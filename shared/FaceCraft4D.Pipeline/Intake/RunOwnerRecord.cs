using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// <c>runs/{runId}/input/owner.json</c>: who a run belongs to, written once when its input is stored and read by every
/// run route's access check (it outlives the run's orchestration history until the run's data is purged).
/// </summary>
/// <param name="Owner">The owner id (<see cref="RunIdentity.LocalOwner"/> for the local stack).</param>
public sealed record RunOwnerRecord(string Owner);
