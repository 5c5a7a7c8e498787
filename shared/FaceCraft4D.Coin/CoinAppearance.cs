using System.Globalization;
using FaceCraft4D.Weights;
using FaceCraft4D.Graphics.Training;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Coin;

/// <summary>
/// The inconsistent component of COIN: a learnable embedding e_view per training view and a 2-layer MLP that maps
/// <c>[e_view, c, e_g]</c> to a per-Gaussian colour offset, <c>c_offset = W2 relu(W0 [e_view, c, e_g] + b0) + b2</c>
/// (PyTorch <c>nn.Sequential(Linear, ReLU, Linear)</c> naming: <c>mlp.0</c>, <c>mlp.2</c>). The final colour is
/// <c>c* = c + c_offset</c>. With <see cref="Centred"/> (the default, <see cref="CoinOptions.CentreOffsets"/>) the offset of
/// view k is taken relative to the mean over all views, <c>MLP(e_k, ...) - mean_j MLP(e_j, ...)</c>, so the offsets carry only
/// what differs between views and the consistent colour carries what they share. The base colour c enters the MLP as a value
/// (detached): it is trained through c* and the consistent render, not through the MLP. e_g is <see cref="PositionEncoding"/> of the Gaussian's canonical position.
/// Owns its tensors (leaves with gradients, stepped and checkpointed by the trainer through <see cref="ExtraParameters"/>).
/// </summary>
public sealed class CoinAppearance : IDisposable
{
    /// <summary>Format tag written into saved files.</summary>
    public const string FormatTag = "fc4d-coin-appearance/1";

    /// <summary>Key of the view embeddings [V, D].</summary>
    public const string EmbeddingsName = "view_embeddings";

    /// <summary>Keys of the MLP tensors (PyTorch Sequential names).</summary>
    public static IReadOnlyList<string> MlpNames { get; } = ["mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias"];

    private readonly Tensor embeddings;
    private readonly Tensor w0, b0, w2, b2;

    private CoinAppearance(Tensor embeddings, Tensor w0, Tensor b0, Tensor w2, Tensor b2, PositionEncoding encoding, int referenceView, bool centred)
    {
        Centred = centred;
        this.embeddings = Leaf(embeddings);
        this.w0 = Leaf(w0);
        this.b0 = Leaf(b0);
        this.w2 = Leaf(w2);
        this.b2 = Leaf(b2);
        Encoding = encoding;
        if (referenceView < 0 || referenceView >= ViewCount)
            throw new ArgumentOutOfRangeException(nameof(referenceView), $"Reference view {referenceView} is not one of the {ViewCount} views.");
        ReferenceView = referenceView;
        if (this.w0.shape[1] != EmbeddingDimension + 3 + encoding.Dimension)
            throw new ArgumentException($"MLP input width {this.w0.shape[1]} does not match embedding {EmbeddingDimension} + colour 3 + position {encoding.Dimension}.");
    }

    private static Tensor Leaf(Tensor t) => t.detach().clone().requires_grad_(true).DetachFromDisposeScope();

    /// <summary>Creates a freshly initialised appearance for <paramref name="viewCount"/> views.</summary>
    /// <param name="viewCount">Number of training views (embedding rows); training views carry their row in <see cref="TrainingView.Index"/>.</param>
    /// <param name="encoding">The position embedding (box fitted to the canonical avatar).</param>
    /// <param name="options">Widths and initialisation.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    /// <param name="device">Device of the tensors.</param>
    public static CoinAppearance Create(int viewCount, PositionEncoding encoding, CoinOptions options, ulong seed, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(viewCount, 1);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(seed);
        int d = options.EmbeddingDimension, h = options.HiddenDimension;
        int input = d + 3 + encoding.Dimension;
        double bound0 = 1.0 / Math.Sqrt(input);
        Tensor Uniform(long[] shape, double bound) => torch.rand(shape, ScalarType.Float32, generator: gen).Times(2).Minus(1).Times(bound);
        var emb = torch.randn([viewCount, d], ScalarType.Float32, generator: gen).Times(options.EmbeddingInitStd);
        var w0 = Uniform([h, input], bound0);
        var b0 = Uniform([h], bound0);
        var w2 = Uniform([3, h], options.OutputInitBound);
        var b2 = torch.zeros(3, ScalarType.Float32);
        var dev = device ?? torch.CPU;
        return new CoinAppearance(emb.to(dev), w0.to(dev), b0.to(dev), w2.to(dev), b2.to(dev), encoding, Math.Min(options.ReferenceView, viewCount - 1), options.CentreOffsets);
    }

    /// <summary>The position embedding.</summary>
    public PositionEncoding Encoding { get; }

    /// <summary>Number of views V (embedding rows).</summary>
    public int ViewCount => (int)embeddings.shape[0];

    /// <summary>Embedding width D.</summary>
    public int EmbeddingDimension => (int)embeddings.shape[1];

    /// <summary>Hidden width of the MLP.</summary>
    public int HiddenDimension => (int)w0.shape[0];

    /// <summary>The view whose embedding is used at inference.</summary>
    public int ReferenceView { get; }

    /// <summary>Offsets are centred over the views (see <see cref="Offsets"/>).</summary>
    public bool Centred { get; }

    /// <summary>Device of the tensors.</summary>
    public Device Device => embeddings.device;

    /// <summary>
    /// Centred offsets through the fused CPU kernel (<see cref="CentredReluFunction"/>; default) rather than the tensor-op
    /// breakpoint formulation (<see cref="MeanOverViews"/>, always used off the CPU). Equal up to float rounding; benchmarks compare.
    /// </summary>
    public bool FusedCentring { get; set; } = true;

    /// <summary>The view embeddings [V, D] (leaf).</summary>
    public Tensor Embeddings => embeddings;

    /// <summary>The trainable tensors for <see cref="TrainingHooks.ExtraParameters"/> (checkpoint keys <c>coin.*</c>).</summary>
    public IReadOnlyList<ExtraParameter> ExtraParameters(CoinOptions options) =>
    [
        new("coin." + EmbeddingsName, embeddings, options.EmbeddingLearningRate),
        new("coin." + MlpNames[0], w0, options.MlpLearningRate),
        new("coin." + MlpNames[1], b0, options.MlpLearningRate),
        new("coin." + MlpNames[2], w2, options.MlpLearningRate),
        new("coin." + MlpNames[3], b2, options.MlpLearningRate),
    ];

    /// <summary>
    /// Colour offsets [N, 3] for the Gaussians of view <paramref name="view"/>: MLP(e_view, c, e_g), minus the mean over all
    /// views' embeddings when <see cref="Centred"/> (then the output bias cancels).
    /// </summary>
    /// <param name="view">Embedding row (the training view's index; <see cref="ReferenceView"/> at inference).</param>
    /// <param name="baseRgb">Consistent colours c [N, 3] (used as values).</param>
    /// <param name="positionEmbedding">e_g [N, 3 + 6L] from <see cref="PositionEncoding.Encode"/>.</param>
    public Tensor Offsets(int view, Tensor baseRgb, Tensor positionEmbedding)
    {
        if (view < 0 || view >= ViewCount) throw new ArgumentOutOfRangeException(nameof(view), $"View {view} has no embedding (views 0..{ViewCount - 1}).");
        using var scope = torch.NewDisposeScope();
        int d = EmbeddingDimension;
        // First layer split: W0 [e, c, g] + b0 = W0_e e + (W0_cg [c, g] + b0); the second part is shared by every view.
        var shared = torch.nn.functional.linear(torch.cat([baseRgb.detach().to_type(embeddings.dtype), positionEmbedding.to_type(embeddings.dtype)], 1),
            w0[.., d..], b0); // [N, H]
        var perView = torch.nn.functional.linear(embeddings, w0[.., ..d]); // [V, H]
        if (!Centred) return torch.nn.functional.linear(torch.nn.functional.relu(shared.Plus(perView[view])), w2, b2).MoveToOuterDisposeScope();
        var centred = FusedCentring && CentredReluFunction.Supports(shared, perView)
            ? CentredReluFunction.Apply(shared, perView, view) // [N, H], one pass
            : torch.nn.functional.relu(shared.Plus(perView[view])) - MeanOverViews(shared, perView);
        return torch.nn.functional.linear(centred, w2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// mean_k relu(S + P_k) [N, H] for S [N, H] and the per-view rows P [V, H], without V passes over [N, H]: for each
    /// hidden unit h it is a piecewise linear function of s with breakpoints −P_k[h], <c>(cnt · s + Σ_{k active} P_k[h]) / V</c>
    /// where the active views are those with P_k[h] &gt; −s. With P's columns sorted, cnt and the sum come from one
    /// binary search and a suffix sum per element. Differentiable in S (slope cnt / V) and P (through the sorted values).
    /// </summary>
    private static Tensor MeanOverViews(Tensor shared, Tensor perView)
    {
        long v = perView.shape[0];
        using var scope = torch.NewDisposeScope();
        var sorted = perView.t().sort(1).Values; // [H, V] ascending per hidden unit
        var suffix = torch.cat([sorted.flip(1).cumsum(1).flip(1), torch.zeros([sorted.shape[0], 1], sorted.dtype, sorted.device)], 1); // [H, V + 1]: sum of sorted[j >= i]
        var s = shared.t(); // [H, N]
        Tensor first, count;
        using (torch.no_grad())
        {
            first = torch.searchsorted(sorted.detach().contiguous(), s.neg().contiguous(), right: true); // [H, N]: first active index
            count = first.SubtractedFrom(v).to_type(shared.dtype);
        }
        var mean = (count * s).Plus(suffix.gather(1, first)).DividedBy(v); // [H, N]
        return mean.t().MoveToOuterDisposeScope(); // [N, H]
    }

    /// <summary>Final colours c* = c + MLP(e_view, c, e_g) [N, 3] for canonical positions [N, 3].</summary>
    public Tensor Colors(int view, Tensor baseRgb, Tensor canonicalPositions)
    {
        using var scope = torch.NewDisposeScope();
        var pe = Encoding.Encode(canonicalPositions);
        return baseRgb.Plus(Offsets(view, baseRgb, pe)).MoveToOuterDisposeScope();
    }

    /// <summary>Adds the tensors and the encoding to a safetensors file under <paramref name="prefix"/>.</summary>
    public void WriteTo(InMemorySafeTensors file, string prefix = "coin.")
    {
        ArgumentNullException.ThrowIfNull(file);
        using var scope = torch.NewDisposeScope();
        file.Add(prefix + EmbeddingsName, embeddings.detach().cpu());
        Tensor[] mlp = [w0, b0, w2, b2];
        for (int i = 0; i < mlp.Length; i++) file.Add(prefix + MlpNames[i], mlp[i].detach().cpu());
        var inv = CultureInfo.InvariantCulture;
        file.Metadata[prefix + "format"] = FormatTag;
        file.Metadata[prefix + "reference_view"] = ReferenceView.ToString(inv);
        file.Metadata[prefix + "position_frequencies"] = Encoding.Frequencies.ToString(inv);
        file.Metadata[prefix + "position_min"] = string.Join(",", Encoding.Minimum.Select(v => v.ToString("R", inv)));
        file.Metadata[prefix + "position_max"] = string.Join(",", Encoding.Maximum.Select(v => v.ToString("R", inv)));
        file.Metadata[prefix + "centred"] = Centred ? "true" : "false";
        file.Metadata[prefix + "inputs"] = "[view_embedding (D), base_rgb (3), position_encoding (3 + 6L)]";
    }

    /// <summary>Reads an appearance written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The file has no COIN appearance under the prefix.</exception>
    public static CoinAppearance ReadFrom(InMemorySafeTensors file, string prefix = "coin.", Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Metadata.TryGetValue(prefix + "format", out var format) || format != FormatTag)
            throw new InvalidDataException($"No {FormatTag} appearance under '{prefix}'.");
        var inv = CultureInfo.InvariantCulture;
        double[] Values(string key) => file.Metadata[prefix + key].Split(',').Select(s => double.Parse(s, inv)).ToArray();
        var encoding = new PositionEncoding(Values("position_min"), Values("position_max"), int.Parse(file.Metadata[prefix + "position_frequencies"], inv));
        using var scope = torch.NewDisposeScope();
        Tensor T(string name) => file.GetTorch(prefix + name, device, ScalarType.Float32);
        return new CoinAppearance(T(EmbeddingsName), T(MlpNames[0]), T(MlpNames[1]), T(MlpNames[2]), T(MlpNames[3]), encoding,
            int.Parse(file.Metadata[prefix + "reference_view"], inv),
            !file.Metadata.TryGetValue(prefix + "centred", out var centred) || centred == "true");
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        embeddings.Dispose();
        w0.Dispose();
        b0.Dispose();
        w2.Dispose();
        b2.Dispose();
    }
}
