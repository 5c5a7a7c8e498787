namespace FaceCraft4D.Api;

/// <summary>
/// Serialises submissions of the same run id inside one process (striped locks), so concurrent identical
/// uploads schedule one orchestration; across processes the durable store's de-duplication decides.
/// </summary>
public sealed class RunSubmissionGates
{
    private readonly SemaphoreSlim[] gates = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>Waits for the gate of a run id; dispose the result to release it.</summary>
    public async Task<IDisposable> EnterAsync(string runId, CancellationToken cancellationToken)
    {
        var gate = gates[(int)((uint)StringComparer.Ordinal.GetHashCode(runId) % (uint)gates.Length)];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
