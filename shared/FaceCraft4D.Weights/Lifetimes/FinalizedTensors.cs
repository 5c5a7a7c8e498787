using System.Runtime.CompilerServices;
using TorchSharp;

namespace FaceCraft4D.Weights.Lifetimes;

/// <summary>
/// How many TorchSharp Tensors the finalizer has freed in this process: Tensors nobody disposed, and nothing held once
/// their handle was passed on. Such a Tensor is a race (the finalizer can delete the at::Tensor while a native call on
/// another thread still reads it: libtorch crashes in <c>to_dtype_layout</c>, <c>copy_ignoring_overlaps</c>,
/// <c>THSAutograd_backward</c>); a Tensor made while a <c>torch.NewDisposeScope()</c> is active is held by the scope.
/// TorchSharp's <see cref="DisposeScopeManager.Statistics"/> are per thread; <c>~Tensor</c> runs
/// <c>Dispose(false)</c> on the finalizer thread, which counts it in that thread's statistics. They are read here on
/// the finalizer thread itself (a probe object's finalizer) after a full collection has run every pending finalizer.
/// Forces two full collections: for tests, benchmarks and opt-in diagnostics, not for every job.
/// </summary>
public static class FinalizedTensors
{
    /// <summary>
    /// Tensors freed by the finalizer so far (after collecting everything unreachable now); the difference of two
    /// readings is what the code between them left to the finalizer (when nothing else ran meanwhile).
    /// </summary>
    public static long Count()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var reading = new FinalizerThreadReading();
        LeaveProbe(reading);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (!reading.Done.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The finalizer thread did not run the tensor-statistics probe.");
        }

        return reading.Value;
    }

    /// <summary>Counts the Tensors finalized while <paramref name="work"/> runs (and those it left unreachable).</summary>
    public static long During(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var before = Count();
        work();
        return Count() - before;
    }

    /// <summary>Counts the Tensors finalized while <paramref name="work"/> runs (and those it left unreachable).</summary>
    public static async Task<long> DuringAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var before = Count();
        await work().ConfigureAwait(false);
        return Count() - before;
    }

    // Not inlined: the probe must be unreachable (no live local in the caller's frame) when the collection runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LeaveProbe(FinalizerThreadReading reading) => _ = new Probe(reading);

    /// <summary>Where the probe leaves what it read on the finalizer thread.</summary>
    private sealed class FinalizerThreadReading
    {
        public ManualResetEventSlim Done { get; } = new();

        public long Value { get; set; }
    }

    /// <summary>An object whose finalizer reads the finalizer thread's Tensor statistics.</summary>
    private sealed class Probe(FinalizerThreadReading reading)
    {
        ~Probe()
        {
            var tensors = DisposeScopeManager.Statistics.TensorStatistics;
            reading.Value = tensors.DisposedOutsideScopeCount + tensors.DisposedInScopeCount;
            reading.Done.Set();
        }
    }
}
