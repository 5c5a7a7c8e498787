using System.Text.Json;
using FaceCraft4D.Vision.Perceptual;

namespace FaceCraft4D.Parity.Tests.Modules.Lpips;

/// <summary>
/// <c>lpips.LPIPS(**config)</c> kwargs → <see cref="LpipsConfig"/>. Honoured: <c>net</c> ('vgg'/'vgg16', 'alex'),
/// <c>version</c> (only '0.1' scales the inputs, as upstream), <c>lpips</c>, <c>spatial</c>, <c>use_dropout</c> (the head's key
/// index). Accepted without effect, because they only decide where upstream's initial weights come from, whether they
/// train, or what it prints (the case's weights file holds the final state, and every case runs in eval mode):
/// <c>pretrained</c>, <c>pnet_rand</c>, <c>pnet_tune</c>, <c>model_path</c>, <c>eval_mode</c>, <c>verbose</c>.
/// Anything else, or <c>net='squeeze'</c>, is a <see cref="NotSupportedException"/> naming it.
/// </summary>
internal static class LpipsCaseConfig
{
    private static readonly HashSet<string> WithoutEffect = new(StringComparer.Ordinal)
    {
        "pretrained", "pnet_rand", "pnet_tune", "model_path", "eval_mode", "verbose",
    };

    public static LpipsConfig Parse(JsonElement config)
    {
        // Upstream defaults: net='alex', version='0.1', lpips=True, spatial=False, use_dropout=True.
        string net = "alex", version = "0.1";
        bool lpips = true, spatial = false, useDropout = true;
        foreach (var kwarg in config.EnumerateObject())
        {
            switch (kwarg.Name)
            {
                case "net": net = kwarg.Value.GetString()!; break;
                case "version": version = kwarg.Value.GetString()!; break;
                case "lpips": lpips = kwarg.Value.GetBoolean(); break;
                case "spatial": spatial = kwarg.Value.GetBoolean(); break;
                case "use_dropout": useDropout = kwarg.Value.GetBoolean(); break;
                case var name when WithoutEffect.Contains(name): break;
                default: throw new NotSupportedException($"lpips.LPIPS kwarg '{kwarg.Name}' is not supported by the port.");
            }
        }
        var trunk = net switch
        {
            "vgg" or "vgg16" => LpipsTrunkKind.Vgg16,
            "alex" => LpipsTrunkKind.AlexNet,
            _ => throw new NotSupportedException($"lpips.LPIPS kwarg net='{net}' is not supported by the port (vgg, vgg16, alex)."),
        };
        return LpipsConfig.Official(trunk) with
        {
            ScalesInputs = version == "0.1",
            LinearHeads = lpips,
            HeadDropout = useDropout,
            Spatial = spatial,
        };
    }
}
