namespace FaceCraft4D.Vision.Perceptual;

/// <summary>
/// An LPIPS network's shape and the <c>lpips.LPIPS</c> constructor arguments that still matter once the weights are given:
/// the trunk (<c>net</c>) and the channel width of each of its five tapped stages (official: VGG16 [64, 128, 256, 512, 512],
/// AlexNet [64, 192, 384, 256, 256]; smaller widths are for tests), <c>version</c>, <c>lpips</c>, <c>use_dropout</c> and
/// <c>spatial</c>. Layer order, kernel sizes and parameter names stay those of the <c>lpips</c> package.
/// </summary>
public sealed record LpipsConfig(LpipsTrunkKind Trunk, int[] Channels)
{
    /// <summary><c>version='0.1'</c> (true): inputs pass the scaling layer; <c>'0.0'</c> (false) feeds them to the trunk unscaled.</summary>
    public bool ScalesInputs { get; init; } = true;

    /// <summary><c>lpips=True</c>: learned 1×1 heads <c>lin0..lin4</c>; false: the channel sum of the squared differences.</summary>
    public bool LinearHeads { get; init; } = true;

    /// <summary>
    /// <c>use_dropout=True</c>: each head is Sequential(Dropout, Conv) so its weight is <c>lin{k}.model.1.weight</c>;
    /// false: Sequential(Conv), <c>lin{k}.model.0.weight</c>. Dropout is inactive in evaluation.
    /// </summary>
    public bool HeadDropout { get; init; } = true;

    /// <summary><c>spatial=True</c>: each layer's map is bilinearly upsampled to the input size instead of averaged.</summary>
    public bool Spatial { get; init; }

    /// <summary>The official LPIPS-VGG v0.1 (<c>LPIPS(net='vgg')</c>).</summary>
    public static LpipsConfig Vgg16 { get; } = new(LpipsTrunkKind.Vgg16, [64, 128, 256, 512, 512]);

    /// <summary>The official LPIPS-Alex v0.1 (<c>LPIPS(net='alex')</c>).</summary>
    public static LpipsConfig AlexNet { get; } = new(LpipsTrunkKind.AlexNet, [64, 192, 384, 256, 256]);

    public static LpipsConfig Official(LpipsTrunkKind trunk) => trunk == LpipsTrunkKind.Vgg16 ? Vgg16 : AlexNet;

    /// <summary>Name used in results, e.g. <c>vgg16</c>.</summary>
    public string TrunkName => Trunk == LpipsTrunkKind.Vgg16 ? "vgg16" : "alexnet";

    /// <summary>The state-dict index of head k's convolution inside <c>lin{k}.model</c>.</summary>
    public int HeadConvIndex => HeadDropout ? 1 : 0;

    internal void Validate()
    {
        if (Channels is not { Length: 5 } || Channels.Any(c => c < 1)) throw new ArgumentException("LPIPS needs five positive layer widths.");
    }
}
