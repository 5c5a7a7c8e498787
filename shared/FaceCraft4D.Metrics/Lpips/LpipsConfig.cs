namespace FaceCraft4D.Metrics.Lpips;

/// <summary>
/// LPIPS network shape: trunk kind and the channel width of each of the five tapped layers (the widths of the
/// conv layers of that stage). Official: VGG16 [64, 128, 256, 512, 512], AlexNet [64, 192, 384, 256, 256].
/// Smaller widths are for tests; layer order, kernel sizes and parameter names stay those of torchvision.
/// </summary>
public sealed record LpipsConfig(LpipsTrunkKind Trunk, int[] Channels)
{
    public static LpipsConfig Vgg16 { get; } = new(LpipsTrunkKind.Vgg16, [64, 128, 256, 512, 512]);

    public static LpipsConfig AlexNet { get; } = new(LpipsTrunkKind.AlexNet, [64, 192, 384, 256, 256]);

    public static LpipsConfig Official(LpipsTrunkKind trunk) => trunk == LpipsTrunkKind.Vgg16 ? Vgg16 : AlexNet;

    /// <summary>Name used in results, e.g. <c>vgg16</c>.</summary>
    public string TrunkName => Trunk == LpipsTrunkKind.Vgg16 ? "vgg16" : "alexnet";

    internal void Validate()
    {
        if (Channels.Length != 5 || Channels.Any(c => c < 1)) throw new ArgumentException("LPIPS needs five positive layer widths.");
    }
}
