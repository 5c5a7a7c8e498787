using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Lpips;

/// <summary>
/// The learned LPIPS heads with the <c>lpips</c> package's names: <c>lin{k}.model.1.weight</c> [1, C_k, 1, 1]
/// (<c>NetLinLayer</c> = Sequential(Dropout, Conv2d 1×1 without bias); dropout is inactive in evaluation).
/// </summary>
public sealed class LpipsLinearHeads : nn.Module
{
    public LpipsLinearHeads(LpipsConfig config) : base("LpipsLinearHeads")
    {
        config.Validate();
        for (int k = 0; k < 5; k++)
        {
            var model = nn.Sequential(("0", nn.Dropout()), ("1", nn.Conv2d(config.Channels[k], 1, 1, bias: false)));
            register_module($"lin{k}", new LinLayer(model));
        }
    }

    /// <summary>Head k applied to a squared feature difference [N, C_k, H, W] → [N, 1, H, W].</summary>
    public Tensor Apply(int k, Tensor squaredDifference) =>
        ((LinLayer)named_children().First(c => c.name == $"lin{k}").module).forward(squaredDifference);

    private sealed class LinLayer : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential model;

        public LinLayer(Sequential model) : base("NetLinLayer")
        {
            this.model = model;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => model.forward(x);
    }
}
