using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>
/// TorchSharp port of face-api.js TinyFaceDetector's backbone (TinyYolov2Base.runMobilenet with
/// isFirstLayerConv2d): conv0 3x3 'valid' + leaky(0.1), max-pool 2/2 'same', five separable convs
/// (pad 1, + leaky) with 2/2 max-pools after conv1..conv4 and a 2/1 'same' pool after conv5, then conv8 1x1.
/// tfjs names: conv0/filters|bias, conv{1..5}/depthwise_filter|pointwise_filter|bias, conv8/filters|bias.
/// </summary>
public sealed class TinyFaceDetectorNet : nn.Module<Tensor, Tensor>
{
    private const double LeakySlope = 0.10000000149011612; // face-api's constant
    private readonly Conv2dLayer conv0;
    private readonly ModuleList<SeparableConv2dLayer> separable;
    private readonly Conv2dLayer conv8;

    public TinyFaceDetectorNetConfig Config { get; }

    public TinyFaceDetectorNet(TinyFaceDetectorNetConfig config) : base("TinyFaceDetectorNet")
    {
        if (config.Channels.Length != 6) throw new ArgumentException("TinyFaceDetector needs 6 channel widths (conv0..conv5).", nameof(config));
        Config = config;
        conv0 = new Conv2dLayer("conv0", 3, config.Channels[0], 3, 1, samePadding: false);
        separable = new ModuleList<SeparableConv2dLayer>();
        for (int i = 1; i < 6; i++) separable.Add(new SeparableConv2dLayer($"conv{i}", config.Channels[i - 1], config.Channels[i], 1));
        conv8 = new Conv2dLayer("conv8", config.Channels[5], config.OutputChannels, 1, 1, samePadding: false);
        RegisterComponents();
    }

    /// <summary>
    /// x [N, 3, S, S] normalised ((v - mean) / 255), S a multiple of 32.
    /// Returns [N, anchors*5, S/32, S/32] raw box encodings (channel = anchor * 5 + k).
    /// </summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        // The slope as a Scalar held until the last call returns: a number argument becomes a Scalar that nothing
        // references during the native call, which a collection can free under libtorch (TorchSharp#1434; seen here
        // as "Expected false to be true" from leaky_relu in the evaluate stage).
        using var slope = LeakySlope.ToScalar();
        var h = conv0.forward(x).leaky_relu(slope);
        h = TfPadding.MaxPoolSame(h, 2, 2);
        for (int i = 0; i < separable.Count; i++)
        {
            h = separable[i].forward(h).leaky_relu(slope);
            h = TfPadding.MaxPoolSame(h, 2, i < separable.Count - 1 ? 2 : 1);
        }
        return conv8.forward(h).MoveToOuterDisposeScope();
    }

    public IEnumerable<TfjsParameterBinding> Bindings()
    {
        foreach (var b in conv0.Bindings("conv0")) yield return b;
        for (int i = 0; i < separable.Count; i++)
            foreach (var b in separable[i].Bindings($"conv{i + 1}")) yield return b;
        foreach (var b in conv8.Bindings("conv8")) yield return b;
    }

    public void LoadTfjsWeights(IReadOnlyDictionary<string, TfjsTensor> weights, string modelName) =>
        TfjsWeightBinder.Bind(weights, Bindings(), modelName);
}
