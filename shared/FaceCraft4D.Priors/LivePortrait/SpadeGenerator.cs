using FaceCraft4D.Priors.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// LivePortrait SPADE decoder G (<c>spade_generator.pth</c>; keys <c>fc</c>, <c>G_middle_0..5</c>, <c>up_0</c>,
/// <c>up_1</c>, <c>conv_img</c> (<c>conv_img.0</c> + pixel shuffle when upscale 2)): warped features
/// [B, 256, 64, 64] → image [B, 3, 512, 512] in [0, 1] (sigmoid).
/// </summary>
public sealed class SpadeGenerator : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d fc;
    private readonly SpadeResnetBlock[] _middle;
    private readonly SpadeResnetBlock up_0;
    private readonly SpadeResnetBlock up_1;
    private readonly nn.Module<Tensor, Tensor> conv_img;

    public SpadeGenerator(SpadeGeneratorConfig config, Device? device = null) : base(nameof(SpadeGenerator))
    {
        long input = Math.Min(config.MaxFeatures, (long)config.BlockExpansion << config.NumDownBlocks);
        long outChannels = config.OutChannels;
        fc = nn.Conv2d(input, 2 * input, 3, padding: 1, device: device);
        register_module(nameof(fc), fc);
        _middle = new SpadeResnetBlock[6];
        for (int i = 0; i < _middle.Length; i++)
        {
            _middle[i] = new SpadeResnetBlock(2 * input, 2 * input, input, device);
            register_module($"G_middle_{i}", _middle[i]);
        }
        up_0 = new SpadeResnetBlock(2 * input, input, input, device);
        up_1 = new SpadeResnetBlock(input, outChannels, input, device);
        conv_img = config.Upscale > 1
            ? nn.Sequential(nn.Conv2d(outChannels, 3 * 4, 3, padding: 1, device: device), nn.PixelShuffle(2))
            : nn.Conv2d(outChannels, 3, 3, padding: 1, device: device);
        register_module(nameof(up_0), up_0);
        register_module(nameof(up_1), up_1);
        register_module(nameof(conv_img), conv_img);
    }

    /// <param name="feature">[B, 256, 64, 64]</param>
    /// <returns>[B, 3, 512, 512] (upscale 2) in [0, 1]</returns>
    public override Tensor forward(Tensor feature)
    {
        using var scope = NewDisposeScope();
        var x = ChannelAlignedConvolution.Forward(fc, feature);
        foreach (var block in _middle) x = block.forward(x, feature);
        x = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        x = up_0.forward(x, feature);
        x = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        x = up_1.forward(x, feature);
        x = torch.sigmoid(conv_img.forward(x.LeakyRelu(0.2)));
        return x.MoveToOuterDisposeScope();
    }
}
