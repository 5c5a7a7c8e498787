using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Avatar;

/// <summary>
/// Gaussians rigged to FLAME triangles (GaussianAvatars, Qian et al. 2024): Gaussian i lives in the frame of its parent
/// triangle b(i) (<see cref="TriangleFrames"/>: centroid T, rotation R, scale k) with local position mu, rotation r and
/// scale s. In world space: mean = k R mu + T, rotation = R r, scale = k s. Posing FLAME moves the triangles and with
/// them the Gaussians. The identity (FLAME shape) is fixed per avatar; frames supply expression, pose and translation.
/// Owns its parameters, not the FLAME model.
/// </summary>
public sealed class FlameGaussianAvatar : IGaussianAvatar
{
    /// <summary>Wraps bound parameters (taking ownership).</summary>
    /// <param name="flame">The FLAME-format model (shared, not owned).</param>
    /// <param name="parameters">Local Gaussian attributes with a binding.</param>
    /// <param name="shape">Identity coefficients [1, S'] (copied).</param>
    public FlameGaussianAvatar(FlameModel flame, GaussianParameters parameters, Tensor shape)
    {
        Flame = flame ?? throw new ArgumentNullException(nameof(flame));
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        if (parameters.Binding is null) throw new ArgumentException("Bound Gaussians need a binding.", nameof(parameters));
        Shape = shape.detach().to(flame.DType, flame.Device).reshape(1, -1).clone().DetachFromDisposeScope();
    }

    /// <summary>The FLAME model the Gaussians are bound to.</summary>
    public FlameModel Flame { get; }

    /// <inheritdoc />
    public GaussianParameters Parameters { get; }

    /// <summary>Identity coefficients [1, S'].</summary>
    public Tensor Shape { get; }

    /// <inheritdoc />
    public bool IsBound => true;

    /// <summary>
    /// One or more Gaussians per triangle at uniformly spread barycentric positions (one: the centroid), local scale
    /// <paramref name="localScale"/>, identity local rotation, opacity 0.1 and colour <paramref name="rgb"/>.
    /// </summary>
    public static FlameGaussianAvatar Create(FlameModel flame, Tensor shape, int gaussiansPerTriangle = 1, double localScale = 0.5,
        double[]? rgb = null, int maxShDegree = 3, torch.Generator? generator = null)
    {
        if (gaussiansPerTriangle < 1) throw new ArgumentOutOfRangeException(nameof(gaussiansPerTriangle));
        using var scope = torch.NewDisposeScope();
        long f = flame.Faces.shape[0];
        var dev = flame.Device;
        var dtype = flame.DType;
        var binding = HeldScalarOps.Arange(f, ScalarType.Int64, dev).repeat_interleave(gaussiansPerTriangle);
        long n = binding.shape[0];
        Tensor local;
        if (gaussiansPerTriangle == 1)
        {
            local = torch.zeros(new long[] { n, 3 }, dtype, dev);
        }
        else
        {
            // Random barycentric points in the canonical triangle, expressed in the triangle's local frame.
            var gen = generator ?? new torch.Generator(0);
            var uv = torch.rand(new long[] { n, 2 }, generator: gen);
            var flip = uv.sum(1).IsGreaterThan(1).unsqueeze(1);
            uv = torch.where(flip, uv.SubtractedFrom(1), uv).to(dtype, dev);
            var canonical = flame.Forward(FlameParameters.Zeros(1, flame.ShapeCount, flame.ExpressionCount, dev, dtype).With(shape: shape.to(dtype, dev).reshape(1, -1)));
            var frames = TriangleFrames.Compute(canonical.Vertices[0], flame.Faces);
            var tri = flame.Faces.index_select(0, binding);
            var v = canonical.Vertices[0];
            var p0 = v.index_select(0, tri.select(1, 0)); var p1 = v.index_select(0, tri.select(1, 1)); var p2 = v.index_select(0, tri.select(1, 2));
            var world = p0.Plus(uv.select(1, 0).unsqueeze(1) * (p1 - p0)).Plus(uv.select(1, 1).unsqueeze(1) * (p2 - p0));
            var r = frames.Rotations.index_select(0, binding);
            var k = frames.Scales.index_select(0, binding).unsqueeze(1);
            local = torch.matmul(r.transpose(1, 2), (world - frames.Centers.index_select(0, binding)).unsqueeze(-1)).squeeze(-1) / k;
        }
        var color = torch.tensor(rgb ?? new[] { 0.5, 0.5, 0.5 }, dtype, dev).expand(n, 3);
        var scales = HeldScalarOps.Full(new long[] { n, 3 }, localScale, dtype, dev);
        var parameters = GaussianParameters.Initial(local, scales, color, maxShDegree, binding: binding);
        return new FlameGaussianAvatar(flame, parameters, shape);
    }

    /// <summary>
    /// Posed triangle frames kept per FLAME frame for <see cref="Evaluate"/> (off by default: <see cref="PosedTriangleCache.Capacity"/>
    /// 0; a trainer sets it to its number of training frames).
    /// </summary>
    public PosedTriangleCache PoseCache { get; } = new();

    /// <summary>
    /// With posed frames from <see cref="PoseCache"/>, evaluate the world-space Gaussians in one fused pass with an analytic
    /// backward (<see cref="FusedBoundGaussiansFunction"/>, CPU; default) instead of tensor operations (same formulas, float
    /// rounding differs); false = the tensor path (benchmarks compare).
    /// </summary>
    public bool FusedBinding { get; set; } = true;

    /// <summary>FLAME parameters of the canonical frame: this avatar's shape, zero expression and pose.</summary>
    public FlameParameters CanonicalFrame() =>
        FlameParameters.Zeros(1, Flame.ShapeCount, Flame.ExpressionCount, Flame.Device, Flame.DType).With(shape: Shape);

    /// <summary>
    /// Posed mesh vertices [V, 3] for a frame (batch of 1; null = canonical). The frame's own <c>Shape</c> is ignored:
    /// the avatar's identity <see cref="Shape"/> is always used.
    /// </summary>
    public Tensor Vertices(FlameParameters? frame = null)
    {
        var p = frame is null ? CanonicalFrame() : frame.With(shape: Shape);
        return Flame.Forward(p).Vertices.select(0, 0);
    }

    /// <inheritdoc />
    public SplatGaussians Evaluate(FlameParameters? frame = null, Tensor? colors = null)
    {
        var p = Parameters;
        var binding = p.Binding!;
        var cached = Shape.requires_grad ? null : PoseCache.Get(frame ?? CanonicalFrame(), () => TriangleFrames.Compute(Vertices(frame), Flame.Faces));
        if (cached is not null && FusedBinding && FusedBoundGaussiansFunction.Supports(p, cached))
        {
            var (m, q, s, o) = FusedBoundGaussiansFunction.Apply(p, cached);
            return new SplatGaussians
            {
                Means = m, Quaternions = q, Scales = s, Opacities = o,
                ShCoefficients = colors is null ? p.ShCoefficients() : null, ShDegree = p.ActiveShDegree, Colors = colors,
            };
        }
        var frames = cached is null ? TriangleFrames.Compute(Vertices(frame), Flame.Faces) : null;
        var r = (cached?.Rotations ?? frames!.Rotations).index_select(0, binding); // [N, 3, 3]
        var k = (cached?.Scales ?? frames!.Scales).index_select(0, binding).unsqueeze(1); // [N, 1]
        var means = (torch.matmul(r, p.Positions.unsqueeze(-1)).squeeze(-1) * k).Plus((cached?.Centers ?? frames!.Centers).index_select(0, binding));
        var faceQuat = cached is null ? Graphics.Flame.Rotations.MatrixToQuaternion(r) : cached.Quaternions.index_select(0, binding); // [N, 4]
        var quats = Graphics.Flame.Rotations.QuaternionMultiply(faceQuat, p.UnitRotations());
        return new SplatGaussians
        {
            Means = means,
            Quaternions = quats,
            Scales = p.Scales() * k,
            Opacities = p.Opacities(),
            ShCoefficients = colors is null ? p.ShCoefficients() : null,
            ShDegree = p.ActiveShDegree,
            Colors = colors,
        };
    }

    /// <inheritdoc />
    public Tensor CanonicalWorldScales()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var frames = TriangleFrames.Compute(Vertices(), Flame.Faces);
        var k = frames.Scales.index_select(0, Parameters.Binding!).unsqueeze(1);
        return (Parameters.Scales() * k).detach().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Parameters.Dispose();
        Shape.Dispose();
        PoseCache.Dispose();
    }
}
