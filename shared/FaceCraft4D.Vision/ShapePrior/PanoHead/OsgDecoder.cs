using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// EG3D / PanoHead <c>OSGDecoder</c>: the features sampled from the three planes are averaged, then an MLP
/// (<c>net.0</c> FC 32->64, softplus, <c>net.2</c> FC 64->1+32) gives density (channel 0) and colour features.
/// Activation of the colour features: <c>none</c> (PanoHead), <c>sigmoid</c> (EG3D) or <c>lrelu</c>.
/// </summary>
public sealed class OsgDecoder : nn.Module
{
    private readonly TorchSharp.Modules.Sequential net;
    private readonly string activation;

    /// <summary>Creates the decoder.</summary>
    public OsgDecoder(int features, int outputDim, string activation, double lrMultiplier = 1, int hidden = 64)
        : base(nameof(OsgDecoder))
    {
        net = nn.Sequential(
            ("0", new FullyConnectedLayer(features, hidden, lrMultiplier: lrMultiplier)),
            ("1", new HeldSoftplus()),
            ("2", new FullyConnectedLayer(hidden, 1 + outputDim, lrMultiplier: lrMultiplier)));
        register_module("net", net);
        this.activation = activation;
    }

    /// <summary>Colour activation name.</summary>
    public string Activation => activation;

    /// <summary>sampled [N, planes, M, C] -> (rgb features [N, M, out], sigma [N, M, 1]).</summary>
    public (Tensor Rgb, Tensor Sigma) Forward(Tensor sampled)
    {
        using var scope = torch.NewDisposeScope();
        var x = sampled.mean(new long[] { 1 });
        long n = x.shape[0], m = x.shape[1], c = x.shape[2];
        x = net.forward(x.view(n * m, c)).view(n, m, -1);
        var rgb = x.narrow(2, 1, x.shape[2] - 1);
        var sigma = x.narrow(2, 0, 1);
        rgb = activation switch
        {
            "sigmoid" => torch.sigmoid(rgb).Times(1 + 2 * 0.001).Minus(0.001),
            "lrelu" => rgb.LeakyRelu(0.2).Times(Math.Sqrt(2)),
            _ => rgb,
        };
        return (rgb.MoveToOuterDisposeScope(), sigma.MoveToOuterDisposeScope());
    }
}
