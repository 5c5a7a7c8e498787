using System.Diagnostics;

namespace FaceCraft4D.Graphics.Training;

/// <summary>
/// Wall time of training iterations split into named phases (render, losses, backward, optimizer, ...), for benchmarks.
/// Phases nest: a phase's time excludes the phases measured inside it, so the phase totals add up to the measured time.
/// On the CPU every TorchSharp call is synchronous, so the split is exact; on CUDA kernels run asynchronously and a phase
/// is charged where the host waits (give the trainer no timer there, or read the figures as host-side time).
/// One timer serves one thread; not for concurrent trainers.
/// </summary>
public sealed class TrainingPhaseTimer
{
    /// <summary>View choice and per-step inputs (background, view tensors).</summary>
    public const string Data = "data";

    /// <summary>Posing the avatar: FLAME forward, triangle frames, world-space Gaussians.</summary>
    public const string Model = "model";

    /// <summary>COIN's colour-offset MLP (position encoding, offsets).</summary>
    public const string CoinMlp = "coin-mlp";

    /// <summary>Rasterizer forward (projection, binning, compositing) of every render in the step.</summary>
    public const string Render = "render";

    /// <summary>Photometric losses: L1, D-SSIM, regularisers.</summary>
    public const string Losses = "losses";

    /// <summary>The perceptual (structure) loss of COIN.</summary>
    public const string Perceptual = "perceptual";

    /// <summary>Autograd backward through everything above (the rasterizer's backward included).</summary>
    public const string Backward = "backward";

    /// <summary>Adaptive density control: statistics, clone/split/prune, opacity reset.</summary>
    public const string Densification = "densification";

    /// <summary>The Adam step and zeroing the gradients.</summary>
    public const string Optimizer = "optimizer";

    /// <summary>Reading the step's figures back to the host (losses, PSNR).</summary>
    public const string Readback = "readback";

    /// <summary>The phases in reporting order.</summary>
    public static IReadOnlyList<string> Phases { get; } = [Data, Model, CoinMlp, Render, Losses, Perceptual, Backward, Densification, Optimizer, Readback];

    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private readonly List<Frame> _stack = [];
    private readonly Func<long> _clock;
    private readonly double _frequency;

    /// <summary>A timer on the wall clock (<see cref="Stopwatch"/>) or on another clock, e.g. the process CPU time.</summary>
    /// <param name="clock">Current time in ticks; null = <see cref="Stopwatch.GetTimestamp"/>.</param>
    /// <param name="ticksPerSecond">Ticks per second of <paramref name="clock"/>; null = <see cref="Stopwatch.Frequency"/>.</param>
    public TrainingPhaseTimer(Func<long>? clock = null, long? ticksPerSecond = null)
    {
        _clock = clock ?? Stopwatch.GetTimestamp;
        _frequency = ticksPerSecond ?? Stopwatch.Frequency;
        if (_frequency <= 0) throw new ArgumentOutOfRangeException(nameof(ticksPerSecond));
    }

    private struct Frame(string name, long start)
    {
        public readonly string Name = name;
        public readonly long Start = start;
        public long Children;
    }

    /// <summary>Iterations counted (the trainer adds one per step).</summary>
    public int Steps { get; private set; }

    /// <summary>Starts a phase on <paramref name="timer"/>; a null timer gives a scope that does nothing.</summary>
    public static Phase Start(TrainingPhaseTimer? timer, string name)
    {
        timer?.Push(name);
        return new Phase(timer);
    }

    /// <summary>Exclusive time per phase so far.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Totals =>
        _ticks.ToDictionary(kv => kv.Key, kv => TimeSpan.FromSeconds(kv.Value / _frequency), StringComparer.Ordinal);

    /// <summary>Exclusive time of one phase so far (zero when never measured).</summary>
    public TimeSpan Total(string name) => _ticks.TryGetValue(name, out var t) ? TimeSpan.FromSeconds(t / _frequency) : TimeSpan.Zero;

    /// <summary>Counts one iteration.</summary>
    public void CountStep() => Steps++;

    /// <summary>Forgets everything measured.</summary>
    public void Reset()
    {
        if (_stack.Count > 0) throw new InvalidOperationException("A phase is still open.");
        _ticks.Clear();
        Steps = 0;
    }

    private void Push(string name) => _stack.Add(new Frame(name, _clock()));

    private void Pop()
    {
        long now = _clock();
        var top = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        long elapsed = now - top.Start;
        _ticks[top.Name] = _ticks.GetValueOrDefault(top.Name) + (elapsed - top.Children);
        if (_stack.Count > 0)
        {
            var parent = _stack[^1];
            parent.Children += elapsed;
            _stack[^1] = parent;
        }
    }

    /// <summary>An open phase; disposing it closes the phase.</summary>
    public readonly struct Phase : IDisposable
    {
        private readonly TrainingPhaseTimer? _timer;

        internal Phase(TrainingPhaseTimer? timer) => _timer = timer;

        /// <summary>Closes the phase.</summary>
        public void Dispose() => _timer?.Pop();
    }
}
