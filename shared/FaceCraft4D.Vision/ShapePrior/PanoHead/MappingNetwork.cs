using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// StyleGAN2 <c>MappingNetwork</c>: z (and the camera label c through <c>embed</c>) normalised, concatenated and
/// mapped by <c>fc0</c>..<c>fc{L-1}</c> to w, broadcast to <c>num_ws</c> copies; truncation toward the tracked
/// average <c>w_avg</c>.
/// </summary>
public sealed class MappingNetwork : nn.Module
{
    private readonly FullyConnectedLayer? embed;
    private readonly FullyConnectedLayer[] layers;
    private readonly Tensor? wAvg;

    /// <summary>Creates the network.</summary>
    public MappingNetwork(int zDim, int cDim, int wDim, int? numWs, int numLayers = 8, int? embedFeatures = null, int? layerFeatures = null,
        string activation = "lrelu", string? lastActivation = null, double lrMultiplier = 0.01, bool trackAverage = true)
        : base(nameof(MappingNetwork))
    {
        ZDim = zDim;
        CDim = cDim;
        WDim = wDim;
        NumWs = numWs;
        int embedF = cDim == 0 ? 0 : embedFeatures ?? wDim;
        int layerF = layerFeatures ?? wDim;
        var features = new[] { zDim + embedF }.Concat(Enumerable.Repeat(layerF, numLayers - 1)).Append(wDim).ToArray();
        if (cDim > 0)
        {
            embed = new FullyConnectedLayer(cDim, embedF);
            register_module("embed", embed);
        }
        layers = new FullyConnectedLayer[numLayers];
        for (int i = 0; i < numLayers; i++)
        {
            string act = i == numLayers - 1 && lastActivation is not null ? lastActivation : activation;
            layers[i] = new FullyConnectedLayer(features[i], features[i + 1], activation: act, lrMultiplier: lrMultiplier);
            register_module($"fc{i}", layers[i]);
        }
        if (numWs is not null && trackAverage)
        {
            wAvg = torch.zeros(wDim);
            register_buffer("w_avg", wAvg);
        }
    }

    /// <summary>Latent size.</summary>
    public int ZDim { get; }

    /// <summary>Camera-label size.</summary>
    public int CDim { get; }

    /// <summary>W size.</summary>
    public int WDim { get; }

    /// <summary>Copies of w produced (null: [N, w]).</summary>
    public int? NumWs { get; }

    /// <summary>The tracked average w [w_dim] (null when not tracked).</summary>
    public Tensor? WAverage => wAvg;

    /// <summary>z [N, z_dim], c [N, c_dim] -> ws [N, num_ws, w_dim] (or [N, w_dim]).</summary>
    public Tensor Forward(Tensor? z, Tensor? c, double truncationPsi = 1, int? truncationCutoff = null)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? x = null;
        if (ZDim > 0) x = StyleGanOps.NormalizeSecondMoment(z!.to(ScalarType.Float32));
        if (CDim > 0)
        {
            var y = StyleGanOps.NormalizeSecondMoment(embed!.forward(c!.to(ScalarType.Float32)));
            x = x is null ? y : torch.cat(new[] { x, y }, 1);
        }
        foreach (var layer in layers) x = layer.forward(x!);
        if (NumWs is int n) x = x!.unsqueeze(1).repeat(1, n, 1);
        if (truncationPsi != 1)
        {
            if (wAvg is null) throw new InvalidOperationException("Truncation needs the tracked w_avg.");
            if (NumWs is null || truncationCutoff is null) x = wAvg.lerp(x!, truncationPsi);
            else
            {
                var head = wAvg.lerp(x!.narrow(1, 0, truncationCutoff.Value), truncationPsi);
                x = torch.cat(new[] { head, x.narrow(1, truncationCutoff.Value, x.shape[1] - truncationCutoff.Value) }, 1);
            }
        }
        return x!.MoveToOuterDisposeScope();
    }
}
