using TorchSharp;

namespace FaceCraft4D.Stages;

/// <summary>
/// How many libtorch intra-op threads a job's torch work uses: <see cref="Shared"/> while other jobs run in the same worker,
/// <see cref="Alone"/> while it is the only one (on the CPU worker a job alone may use every core; two jobs side by side
/// with more than one thread each oversubscribe the cores). The worker counts its running jobs (<see cref="JobStarted"/>);
/// a stage's torch loop calls <see cref="Apply"/> on the thread that does the work, between steps. libtorch keeps the
/// count per thread once a thread has run a parallel op, so it is set where the work runs, not once for the process.
/// </summary>
public sealed class TorchThreadBudget
{
    private int running;

    /// <summary>Creates a budget; 0 for both leaves libtorch's setting alone.</summary>
    /// <param name="shared">Threads while other jobs run (at least 1; 0 = do not change).</param>
    /// <param name="alone">Threads while the job runs alone (0 = <paramref name="shared"/>).</param>
    public TorchThreadBudget(int shared, int alone)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shared);
        ArgumentOutOfRangeException.ThrowIfNegative(alone);
        Shared = shared;
        Alone = alone > 0 ? alone : shared;
    }

    /// <summary>Threads per job while other jobs run (0 = libtorch's default, never changed).</summary>
    public int Shared { get; }

    /// <summary>Threads of a job that runs alone.</summary>
    public int Alone { get; }

    /// <summary>Jobs running now.</summary>
    public int Running => Volatile.Read(ref running);

    /// <summary>The thread count a job should use now (0 = leave libtorch's as it is).</summary>
    public int Current => Shared == 0 ? 0 : Running <= 1 ? Alone : Shared;

    /// <summary>Counts a job as running until the returned handle is disposed.</summary>
    public IDisposable JobStarted()
    {
        Interlocked.Increment(ref running);
        return new Slot(this);
    }

    /// <summary>Sets the calling thread's libtorch intra-op thread count to <see cref="Current"/> when it differs; returns the count in force.</summary>
    public int Apply()
    {
        int want = Current;
        if (want <= 0) return torch.get_num_threads();
        if (torch.get_num_threads() != want) torch.set_num_threads(want);
        return want;
    }

    private sealed class Slot(TorchThreadBudget budget) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) Interlocked.Decrement(ref budget.running);
        }
    }
}
