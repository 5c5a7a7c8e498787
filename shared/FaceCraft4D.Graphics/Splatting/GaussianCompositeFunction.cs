using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Custom autograd function around a compositing kernel. Forward saves only its inputs, the tile lists and the two
/// outputs; backward replays the lists with the kernel's analytic gradients, so memory does not grow with the number
/// of pixel-Gaussian pairs.
/// Arguments: means2d [N,2], conics [N,3], opacities [N], features [N,D], background [D], <see cref="CompositeSetup"/>.
/// Outputs: image [H,W,D], alpha [H,W].
/// </summary>
internal sealed class GaussianCompositeFunction : torch.autograd.MultiTensorFunction<GaussianCompositeFunction>
{
    public override string Name => nameof(GaussianCompositeFunction);

    public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var setup = (CompositeSetup)vars[5];
        var inputs = setup.Inputs((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4]);
        var phase = setup.PhaseTimes?.Start(RasterizerPhase.CompositeForward);
        var (image, alpha, pixelState) = setup.Kernel.Forward(inputs);
        phase?.Dispose();
        ctx.save_for_backward(new List<Tensor>
        {
            inputs.Means2d, inputs.Conics, inputs.Opacities, inputs.Features, inputs.Background,
            setup.Bins.GaussianIds, setup.Bins.TileOffsets, image.detach(), alpha.detach(), setup.Radii,
            pixelState ?? torch.empty(0, image.dtype),
            setup.Bins.PixelBoxes ?? torch.empty(0, ScalarType.Int32),
        });
        ctx.save_data("setup", setup);
        return new List<Tensor> { image, alpha };
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var setup = (CompositeSetup)ctx.get_data("setup");
        var saved = ctx.get_saved_variables();
        using var scope = torch.NewDisposeScope();
        var bins = new TileBins
        {
            GaussianIds = saved[5], TileOffsets = saved[6], TilesX = setup.Bins.TilesX, TilesY = setup.Bins.TilesY,
            TileSize = setup.Bins.TileSize, Width = setup.Bins.Width, Height = setup.Bins.Height,
            PixelBoxes = saved[11].numel() > 0 ? saved[11] : null,
        };
        var inputs = new CompositeInputs
        {
            Means2d = saved[0], Conics = saved[1], Opacities = saved[2], Features = saved[3], Background = saved[4],
            Radii = saved[9], Bins = bins, Options = setup.Options,
        };
        var gradImage = gradOutputs[0];
        var gradAlpha = gradOutputs[1];
        var phase = setup.PhaseTimes?.Start(RasterizerPhase.CompositeBackward);
        var pixelState = saved[10].numel() > 0 ? saved[10] : null;
        var grads = setup.Kernel.Backward(inputs, saved[7], saved[8], pixelState, gradImage, gradAlpha);
        phase?.Dispose();
        var result = new List<Tensor> { grads.Means2d, grads.Conics, grads.Opacities, grads.Features };
        // Held by the outer scope (TorchSharp's autograd callback) until libtorch has taken them: a detached gradient is
        // referenced by nothing while THSAutograd_backward copies it (docs/torchsharp-lifetimes.md).
        foreach (var t in result) t.MoveToOuterDisposeScope();
        result.Add(null!);
        result.Add(null!);
        return result;
    }
}

/// <summary>Non-tensor state handed to <see cref="GaussianCompositeFunction"/>.</summary>
internal sealed class CompositeSetup
{
    public required TileBins Bins { get; init; }
    public required Tensor Radii { get; init; }
    public required RasterizerOptions Options { get; init; }
    public required ICompositorKernel Kernel { get; init; }
    public RasterizerPhaseTimes? PhaseTimes { get; init; }

    public CompositeInputs Inputs(Tensor means2d, Tensor conics, Tensor opacities, Tensor features, Tensor background) => new()
    {
        Means2d = means2d, Conics = conics, Opacities = opacities, Features = features, Background = background,
        Radii = Radii, Bins = Bins, Options = Options,
    };
}
