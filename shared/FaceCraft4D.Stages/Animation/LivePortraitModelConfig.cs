using FaceCraft4D.Priors.LivePortrait;
using YamlDotNet.RepresentationModel;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// The network configuration of a LivePortrait model folder: its <c>models.yaml</c> (official structure,
/// <see cref="LivePortraitConfig.ParseYaml"/>) plus two optional FaceCraft4D keys under <c>motion_extractor_params</c>,
/// <c>depths</c> and <c>dims</c> (the ConvNeXtV2 stage depths and widths; the official file leaves them implied by
/// <c>backbone: convnextv2_tiny</c>). Without the file: the official configuration.
/// </summary>
public static class LivePortraitModelConfig
{
    /// <summary>Reads <c>models.yaml</c> from the folder, or the official configuration when there is none.</summary>
    public static async Task<LivePortraitConfig> ReadAsync(string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, LivePortraitModelFolder.ModelsYaml);
        return File.Exists(path)
            ? Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false))
            : LivePortraitConfig.Official();
    }

    /// <summary>Parses a <c>models.yaml</c> text with the extension keys.</summary>
    /// <exception cref="InvalidDataException">The text is not a LivePortrait models.yaml.</exception>
    public static LivePortraitConfig Parse(string yaml)
    {
        try
        {
            var config = LivePortraitConfig.ParseYaml(yaml);
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            var root = (YamlMappingNode)stream.Documents[0].RootNode;
            var motion = (YamlMappingNode)((YamlMappingNode)root.Children[new YamlScalarNode("model_params")]).Children[new YamlScalarNode("motion_extractor_params")];
            int[]? Ints(string key) => motion.Children.TryGetValue(new YamlScalarNode(key), out var node)
                ? ((YamlSequenceNode)node).Select(n => int.Parse(((YamlScalarNode)n).Value!, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
                : null;
            var depths = Ints("depths");
            var dims = Ints("dims");
            return depths is null && dims is null
                ? config
                : config with { MotionExtractor = config.MotionExtractor with { Depths = depths ?? config.MotionExtractor.Depths, Dims = dims ?? config.MotionExtractor.Dims } };
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or KeyNotFoundException or InvalidCastException or FormatException)
        {
            throw new InvalidDataException($"{LivePortraitModelFolder.ModelsYaml} is not a LivePortrait model configuration: {e.Message}", e);
        }
    }
}
