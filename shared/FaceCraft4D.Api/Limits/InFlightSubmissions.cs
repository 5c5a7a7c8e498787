using System.Collections.Concurrent;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// Submissions this host has admitted and not yet finished (their run may not be in the durable store yet). The
/// active-run limits add them to the store's count, and admissions take turns (<see cref="TakeTurnAsync"/>) to count
/// and reserve, so concurrent submissions in one host cannot overshoot a limit together. A finished run may briefly be
/// counted twice (in the store and here), which only errs on the safe side.
/// </summary>
public sealed class InFlightSubmissions
{
    private readonly ConcurrentDictionary<string, int> byOwner = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim turn = new(1, 1);
    private int total;

    /// <summary>Waits for this host's turn to count active runs and reserve a place; dispose the result to pass the turn on.</summary>
    public async Task<IDisposable> TakeTurnAsync(CancellationToken cancellationToken)
    {
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(turn);
    }

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int passed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref passed, 1) == 0)
            {
                turn.Release();
            }
        }
    }

    /// <summary>Counts a submission of <paramref name="owner"/> until the returned lease is disposed.</summary>
    public Lease Enter(string owner)
    {
        byOwner.AddOrUpdate(owner, 1, (_, n) => n + 1);
        Interlocked.Increment(ref total);
        return new Lease(this, owner);
    }

    /// <summary>Admitted, unfinished submissions of <paramref name="owner"/> (including the caller's own).</summary>
    public int Of(string owner) => byOwner.GetValueOrDefault(owner);

    /// <summary>Admitted, unfinished submissions of everyone.</summary>
    public int Total => Volatile.Read(ref total);

    private void Leave(string owner)
    {
        Interlocked.Decrement(ref total);
        if (byOwner.AddOrUpdate(owner, 0, (_, n) => n - 1) <= 0)
        {
            byOwner.TryRemove(new KeyValuePair<string, int>(owner, 0));
        }
    }

    /// <summary>One admitted submission; dispose when it has finished (started a run or been refused).</summary>
    public sealed class Lease(InFlightSubmissions owners, string owner) : IDisposable
    {
        private int disposed;

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owners.Leave(owner);
            }
        }
    }
}
