using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>
/// Residual block of FaceRecognitionNet. Plain: relu(conv2(conv1(x)) + x). Down-sampling (stride-2 'valid' conv1):
/// the shortcut is a 2×2 'valid' average pool of x, zero-padded to the doubled channel count; when the pooled map is
/// one larger than the convolved one, the convolved map gets a zero row at the bottom and a zero column at the right
/// (face-api.js <c>residualDown</c>).
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly ScaledConvLayer conv1, conv2;
    private readonly bool down;

    public ResidualBlock(string name, int inChannels, int outChannels, bool down) : base(name)
    {
        this.down = down;
        conv1 = new ScaledConvLayer("conv1", inChannels, outChannels, 3, down ? 2 : 1, relu: true);
        conv2 = new ScaledConvLayer("conv2", outChannels, outChannels, 3, 1, relu: false);
        RegisterComponents();
    }

    /// <summary>x [N, C, H, W] → [N, C, H, W], or [N, C', ⌊H/2⌋, ⌊W/2⌋] when down-sampling.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var h = conv1.forward(x);
        var y = conv2.forward(h);
        Tensor shortcut = x;
        if (down)
        {
            shortcut = nn.functional.avg_pool2d(x, new long[] { 2, 2 }, new long[] { 2, 2 });
            long padRows = shortcut.shape[2] - y.shape[2], padCols = shortcut.shape[3] - y.shape[3];
            if (padRows < 0 || padCols < 0 || padRows > 1 || padCols > 1)
                throw new InvalidOperationException($"residual shapes do not fit: conv [{string.Join(", ", y.shape)}], pool [{string.Join(", ", shortcut.shape)}]");
            if (padRows > 0 || padCols > 0) y = nn.functional.pad(y, new long[] { 0, padCols, 0, padRows });
            long extra = y.shape[1] - shortcut.shape[1];
            if (extra > 0) shortcut = nn.functional.pad(shortcut, new long[] { 0, 0, 0, 0, 0, extra });
        }
        return nn.functional.relu(y.Plus(shortcut)).MoveToOuterDisposeScope();
    }

    public IEnumerable<TfjsParameterBinding> Bindings(string prefix) =>
        conv1.Bindings($"{prefix}/conv1").Concat(conv2.Bindings($"{prefix}/conv2"));
}
