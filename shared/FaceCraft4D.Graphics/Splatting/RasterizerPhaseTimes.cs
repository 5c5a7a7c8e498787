using System.Diagnostics;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>The phases of one <see cref="GaussianRasterizer.Render"/> call and its backward that <see cref="RasterizerPhaseTimes"/> times.</summary>
public enum RasterizerPhase
{
    /// <summary>EWA projection (forward).</summary>
    Projection,

    /// <summary>Colours: SH evaluation or precomputed colours (forward).</summary>
    Colors,

    /// <summary>Tile binning and depth sort.</summary>
    Binning,

    /// <summary>Tensor glue around the compositing kernel: feature concatenation, background, and the image / depth outputs' copies.</summary>
    Glue,

    /// <summary>Compositing forward (the kernel, including its own tensor set-up and outputs).</summary>
    CompositeForward,

    /// <summary>Compositing backward (inside autograd).</summary>
    CompositeBackward,

    /// <summary>Backward of the fused projection (SimdCpu backend only; other backends leave it to autograd's tensor ops).</summary>
    ProjectionBackward,

    /// <summary>Backward of the fused SH colours (SimdCpu backend only).</summary>
    ColorsBackward,
}

/// <summary>
/// Wall-clock and process CPU time spent in each <see cref="RasterizerPhase"/> (accumulated over calls; thread-safe),
/// for benchmarks and diagnostics. Attach one with <see cref="GaussianRasterizer.PhaseTimes"/>. Backward phases run
/// inside autograd: the compositing backward always, the projection and SH backward only where they are fused
/// functions (SimdCpu); the rest of backward() is not timed here.
/// </summary>
public sealed class RasterizerPhaseTimes
{
    private static readonly int PhaseCount = Enum.GetValues<RasterizerPhase>().Length;
    private readonly long[] _wall = new long[PhaseCount];
    private readonly long[] _cpu = new long[PhaseCount];

    /// <summary>EWA projection (forward).</summary>
    public TimeSpan Projection => Wall(RasterizerPhase.Projection);

    /// <summary>Colours: SH evaluation or precomputed colours (forward).</summary>
    public TimeSpan Colors => Wall(RasterizerPhase.Colors);

    /// <summary>Tile binning and depth sort.</summary>
    public TimeSpan Binning => Wall(RasterizerPhase.Binning);

    /// <summary>Compositing forward.</summary>
    public TimeSpan CompositeForward => Wall(RasterizerPhase.CompositeForward);

    /// <summary>Compositing backward (inside autograd).</summary>
    public TimeSpan CompositeBackward => Wall(RasterizerPhase.CompositeBackward);

    /// <summary>Process CPU time (all threads) during the compositing forward: steadier than wall time on a shared machine.</summary>
    public TimeSpan CompositeForwardCpu => Cpu(RasterizerPhase.CompositeForward);

    /// <summary>Process CPU time (all threads) during the compositing backward.</summary>
    public TimeSpan CompositeBackwardCpu => Cpu(RasterizerPhase.CompositeBackward);

    /// <summary>Wall-clock time of a phase.</summary>
    public TimeSpan Wall(RasterizerPhase phase) => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _wall[(int)phase]));

    /// <summary>Process CPU time (all threads) during a phase.</summary>
    public TimeSpan Cpu(RasterizerPhase phase) => TimeSpan.FromTicks(Interlocked.Read(ref _cpu[(int)phase]));

    /// <summary>The process CPU clock the phases are measured with.</summary>
    internal static TimeSpan CpuNow() => Environment.CpuUsage.TotalTime;

    /// <summary>Clears every phase.</summary>
    public void Reset()
    {
        for (int i = 0; i < PhaseCount; i++)
        {
            Interlocked.Exchange(ref _wall[i], 0);
            Interlocked.Exchange(ref _cpu[i], 0);
        }
    }

    /// <summary>Starts timing a phase: dispose the result (or call <see cref="Span.Dispose"/>) when it ends.</summary>
    internal Span Start(RasterizerPhase phase) => new(this, phase, Stopwatch.GetTimestamp(), CpuNow());

    private void Add(RasterizerPhase phase, long startTimestamp, TimeSpan startCpu)
    {
        Interlocked.Add(ref _wall[(int)phase], Stopwatch.GetTimestamp() - startTimestamp);
        Interlocked.Add(ref _cpu[(int)phase], (CpuNow() - startCpu).Ticks);
    }

    /// <summary>One running phase measurement.</summary>
    internal readonly struct Span(RasterizerPhaseTimes times, RasterizerPhase phase, long startTimestamp, TimeSpan startCpu) : IDisposable
    {
        public void Dispose() => times.Add(phase, startTimestamp, startCpu);
    }
}
