namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>
/// This worker instance's hold on a job's ledger record: who claimed it, the fencing token of the claim (one more
/// than the previous claim's, so a later owner always has a larger token) and the record version (ETag) of the last
/// write, which every later write must match (If-Match). A write that does not match means another instance took
/// the job over: the claim is lost and the job stops here.
/// </summary>
/// <param name="Owner">The instance that holds the claim.</param>
/// <param name="Fence">The fencing token (1 for the first claim of a job).</param>
/// <param name="Version">The record's version after this instance's last write.</param>
public sealed record JobClaim(string Owner, long Fence, string Version);
