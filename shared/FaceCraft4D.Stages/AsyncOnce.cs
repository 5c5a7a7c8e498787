namespace FaceCraft4D.Stages;

/// <summary>
/// A value created once on first use (models loaded once per worker, not per job). Concurrent callers wait for
/// the same creation; a failed or cancelled creation is not cached, so the next call tries again.
/// </summary>
public sealed class AsyncOnce<T>(Func<CancellationToken, Task<T>> create) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private T? value;
    private bool created;

    /// <summary>True once the value exists.</summary>
    public bool IsCreated => Volatile.Read(ref created);

    /// <summary>The value, created on the first call.</summary>
    public async Task<T> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref created)) return value!;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!created)
            {
                value = await create(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref created, true);
            }
            return value!;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Disposes the value when it is disposable.</summary>
    public void Dispose()
    {
        if (created && value is IDisposable disposable) disposable.Dispose();
        gate.Dispose();
    }
}
