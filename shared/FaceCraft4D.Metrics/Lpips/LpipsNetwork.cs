using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Lpips;

/// <summary>
/// LPIPS (Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features as a Perceptual Metric"), version 0.1:
/// images in [0, 1] → [−1, 1] → (x − shift) / scale with shift = [−0.030, −0.088, −0.188], scale = [0.458, 0.448, 0.450]
/// → trunk taps → each tap unit-normalised over channels (x / (‖x‖₂ + 1e-10)) → squared difference → head k (1×1 conv)
/// → spatial mean → sum over the five taps. Trunk and heads load separately (torchvision and lpips checkpoints).
/// </summary>
public sealed class LpipsNetwork : IDisposable
{
    private static readonly float[] Shift = [-0.030f, -0.088f, -0.188f];
    private static readonly float[] Scale = [0.458f, 0.448f, 0.450f];

    public LpipsNetwork(LpipsConfig config)
    {
        Config = config;
        Trunk = new LpipsTrunk(config);
        Heads = new LpipsLinearHeads(config);
        Trunk.eval();
        Heads.eval();
    }

    public LpipsConfig Config { get; }

    /// <summary>State dict keys <c>features.{i}.weight|bias</c> (torchvision).</summary>
    public LpipsTrunk Trunk { get; }

    /// <summary>State dict keys <c>lin{k}.model.1.weight</c> (lpips package).</summary>
    public LpipsLinearHeads Heads { get; }

    public LpipsNetwork To(Device device)
    {
        Trunk.to(device);
        Heads.to(device);
        return this;
    }

    /// <param name="x">[N, 3, H, W] in [0, 1]</param>
    /// <param name="y">same shape</param>
    /// <returns>per-pair distance [N] (0 for identical images)</returns>
    public Tensor Distance(Tensor x, Tensor y)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var fx = Trunk.forward(Prepare(x));
        var fy = Trunk.forward(Prepare(y));
        Tensor? total = null;
        for (int k = 0; k < 5; k++)
        {
            var d = (UnitNormalise(fx[k]) - UnitNormalise(fy[k])).square();
            var layer = Heads.Apply(k, d).mean(new long[] { 2, 3 }); // [N, 1]
            total = total is null ? layer : total + layer;
        }
        return total!.reshape(-1).MoveToOuterDisposeScope();
    }

    private static Tensor Prepare(Tensor x)
    {
        var shift = torch.tensor(Shift, new long[] { 1, 3, 1, 1 }, x.dtype, x.device);
        var scale = torch.tensor(Scale, new long[] { 1, 3, 1, 1 }, x.dtype, x.device);
        return (x * 2 - 1 - shift) / scale;
    }

    private static Tensor UnitNormalise(Tensor f) => f / (f.square().sum(1, keepdim: true).sqrt() + 1e-10);

    public void Dispose()
    {
        Trunk.Dispose();
        Heads.Dispose();
    }
}
