using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>HF <c>CLIPMLP</c>: <c>fc1</c> → activation (quick_gelu: x·σ(1.702x), or exact gelu) → <c>fc2</c>.</summary>
public sealed class ClipMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2;
    private readonly bool quickGelu;

    public ClipMlp(ClipVisionConfig config) : base("CLIPMLP")
    {
        quickGelu = config.HiddenAct == "quick_gelu";
        fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize);
        fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = fc1.forward(x);
        h = quickGelu ? h * torch.sigmoid(h.Times(1.702)) : nn.functional.gelu(h);
        return fc2.forward(h).MoveToOuterDisposeScope();
    }
}
