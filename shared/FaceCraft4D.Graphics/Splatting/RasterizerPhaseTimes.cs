using System.Diagnostics;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Wall-clock time spent in each phase of <see cref="GaussianRasterizer"/> (accumulated over calls; thread-safe), for
/// benchmarks and diagnostics. Attach one with <see cref="GaussianRasterizer.PhaseTimes"/>. Backward phases run inside
/// autograd: only the compositing backward is timed here; the projection and SH backward are the rest of backward().
/// </summary>
public sealed class RasterizerPhaseTimes
{
    private long _projection, _colors, _binning, _compositeForward, _compositeBackward, _compositeForwardCpu, _compositeBackwardCpu;

    /// <summary>EWA projection (forward).</summary>
    public TimeSpan Projection => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _projection));

    /// <summary>Colours: SH evaluation or precomputed colours (forward).</summary>
    public TimeSpan Colors => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _colors));

    /// <summary>Tile binning and depth sort.</summary>
    public TimeSpan Binning => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _binning));

    /// <summary>Compositing forward.</summary>
    public TimeSpan CompositeForward => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _compositeForward));

    /// <summary>Compositing backward (inside autograd).</summary>
    public TimeSpan CompositeBackward => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _compositeBackward));

    /// <summary>Process CPU time (all threads) during the compositing forward: steadier than wall time on a shared machine.</summary>
    public TimeSpan CompositeForwardCpu => TimeSpan.FromTicks(Interlocked.Read(ref _compositeForwardCpu));

    /// <summary>Process CPU time (all threads) during the compositing backward.</summary>
    public TimeSpan CompositeBackwardCpu => TimeSpan.FromTicks(Interlocked.Read(ref _compositeBackwardCpu));

    /// <summary>The process CPU clock the composite phases are measured with.</summary>
    internal static TimeSpan CpuNow() => Environment.CpuUsage.TotalTime;

    /// <summary>Clears every phase.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _projection, 0); Interlocked.Exchange(ref _colors, 0); Interlocked.Exchange(ref _binning, 0);
        Interlocked.Exchange(ref _compositeForward, 0); Interlocked.Exchange(ref _compositeBackward, 0);
        Interlocked.Exchange(ref _compositeForwardCpu, 0); Interlocked.Exchange(ref _compositeBackwardCpu, 0);
    }

    internal void AddProjection(long startTimestamp) => Interlocked.Add(ref _projection, Stopwatch.GetTimestamp() - startTimestamp);
    internal void AddColors(long startTimestamp) => Interlocked.Add(ref _colors, Stopwatch.GetTimestamp() - startTimestamp);
    internal void AddBinning(long startTimestamp) => Interlocked.Add(ref _binning, Stopwatch.GetTimestamp() - startTimestamp);
    internal void AddCompositeForward(long startTimestamp, TimeSpan startCpu)
    {
        Interlocked.Add(ref _compositeForward, Stopwatch.GetTimestamp() - startTimestamp);
        Interlocked.Add(ref _compositeForwardCpu, (CpuNow() - startCpu).Ticks);
    }

    internal void AddCompositeBackward(long startTimestamp, TimeSpan startCpu)
    {
        Interlocked.Add(ref _compositeBackward, Stopwatch.GetTimestamp() - startTimestamp);
        Interlocked.Add(ref _compositeBackwardCpu, (CpuNow() - startCpu).Ticks);
    }
}
