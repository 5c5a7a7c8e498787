using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>Random Gaussian scenes for reference checks (leaf tensors, so gradients can be inspected).</summary>
internal sealed class TestScene
{
    public required Tensor Means, Quats, LogScales, OpacityLogits, Sh;
    public required int Degree;

    public IEnumerable<Tensor> Parameters => new[] { Means, Quats, LogScales, OpacityLogits, Sh };

    public SplatGaussians Gaussians() => new()
    {
        Means = Means, Quaternions = Quats, Scales = LogScales.exp(), Opacities = torch.sigmoid(OpacityLogits),
        ShCoefficients = Sh, ShDegree = Degree,
    };

    public static TestScene Random(int n, int seed, ScalarType dtype, double extent = 0.3, double minScale = 0.02, double maxScale = 0.08,
        double minOpacity = 0.2, double maxOpacity = 0.85, int degree = 3)
    {
        var gen = new torch.Generator((ulong)seed);
        var means = torch.rand(new long[] { n, 3 }, dtype, generator: gen).Times(2).Minus(1).Times(extent);
        var quats = torch.randn(new long[] { n, 4 }, dtype, generator: gen);
        var scales = torch.rand(new long[] { n, 3 }, dtype, generator: gen).Times(maxScale - minScale).Plus(minScale);
        var op = torch.rand(new long[] { n }, dtype, generator: gen).Times(maxOpacity - minOpacity).Plus(minOpacity);
        int k = SphericalHarmonics.CoefficientCount(degree);
        var sh = torch.randn(new long[] { n, k, 3 }, dtype, generator: gen).Times(0.3);
        return new TestScene
        {
            Means = means.requires_grad_(),
            Quats = quats.requires_grad_(),
            LogScales = scales.log().detach().requires_grad_(),
            OpacityLogits = torch.logit(op).detach().requires_grad_(),
            Sh = sh.requires_grad_(),
            Degree = degree,
        };
    }

    public TestScene Permuted(long[] perm)
    {
        var p = torch.tensor(perm, ScalarType.Int64);
        return new TestScene
        {
            Means = Means.detach().index_select(0, p).requires_grad_(),
            Quats = Quats.detach().index_select(0, p).requires_grad_(),
            LogScales = LogScales.detach().index_select(0, p).requires_grad_(),
            OpacityLogits = OpacityLogits.detach().index_select(0, p).requires_grad_(),
            Sh = Sh.detach().index_select(0, p).requires_grad_(),
            Degree = Degree,
        };
    }

    public static Camera FrontCamera(int width, int height, double fovY = 40, double distance = 2.0, double yawDegrees = 20)
    {
        var options = new OrbitCameraOptions { Width = width, Height = height, FovYDegrees = fovY, Radius = distance, ElevationDegrees = 10 };
        return OrbitCameras.CreateAtYaw(options, yawDegrees);
    }
}
