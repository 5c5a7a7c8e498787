using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>Options of <see cref="LivePortraitLoader"/>.</summary>
public sealed class LivePortraitLoadOptions
{
    /// <summary>Require and load the stitching/retargeting module (needed for <see cref="LivePortraitAnimationOptions.UseStitching"/>).</summary>
    public bool RequireStitching { get; set; } = true;

    /// <summary>Name recorded in outputs; default: the last two folder segments.</summary>
    public string? Name { get; set; }

    /// <summary>Network configuration overriding the folder's <c>models.yaml</c> (non-standard variants, tests).</summary>
    public LivePortraitConfig? Config { get; set; }
}

/// <summary>
/// Loads a LivePortrait folder (see <see cref="LivePortraitModelFolder"/>) strictly by the official key names;
/// missing files → <see cref="ModelFolderException"/>, key/shape problems → <see cref="WeightLoadException"/>.
/// </summary>
public static class LivePortraitLoader
{
    /// <summary>
    /// Loads one checkpoint file (official key names, e.g. <c>warping_module.safetensors</c>) into one built network
    /// strictly: every key of the network present with its shape and every file key consumed. The folder loader uses
    /// this for each of its files; it also serves single networks (e.g. one stitching MLP with bare <c>mlp.*</c> keys).
    /// </summary>
    public static async Task<WeightLoadReport> LoadWeightsAsync(nn.Module network, string safetensorsPath, CancellationToken cancellationToken = default)
    {
        using var source = await SafeTensorsSource.OpenAsync(safetensorsPath, cancellationToken).ConfigureAwait(false);
        return await StateDictLoader.LoadAsync(network, source, Path.GetFileNameWithoutExtension(safetensorsPath), null, cancellationToken)
            .ConfigureAwait(false);
    }

    public static async Task<LivePortraitNetworks> LoadAsync(string folder, Device device, LivePortraitLoadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new LivePortraitLoadOptions();
        var report = LivePortraitModelFolder.Inspect(folder, options.RequireStitching);
        if (!report.IsComplete) throw new ModelFolderException(report);
        string P(string rel) => Path.Combine(folder, rel);
        var config = options.Config ?? (File.Exists(P(LivePortraitModelFolder.ModelsYaml))
            ? LivePortraitConfig.ParseYaml(await File.ReadAllTextAsync(P(LivePortraitModelFolder.ModelsYaml), cancellationToken).ConfigureAwait(false))
            : LivePortraitConfig.Official());

        var built = new List<nn.Module>();
        try
        {
            async Task<T> Load<T>(T module, string file) where T : nn.Module
            {
                built.Add(module);
                await LoadWeightsAsync(module, P(file), cancellationToken).ConfigureAwait(false);
                return module;
            }
            var appearance = await Load(new AppearanceFeatureExtractor(config.AppearanceFeatureExtractor, device), LivePortraitModelFolder.AppearanceFeatureExtractor);
            var motion = await Load(new MotionExtractor(config.MotionExtractor, device), LivePortraitModelFolder.MotionExtractor);
            var warping = await Load(new WarpingNetwork(config.WarpingModule, device), LivePortraitModelFolder.WarpingModule);
            var generator = await Load(new SpadeGenerator(config.SpadeGenerator, device), LivePortraitModelFolder.SpadeGenerator);
            StitchingRetargetingModule? stitching = null;
            if (File.Exists(P(LivePortraitModelFolder.StitchingRetargetingModule)))
                stitching = await Load(new StitchingRetargetingModule(config, device), LivePortraitModelFolder.StitchingRetargetingModule);
            var parts = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            return new LivePortraitNetworks(options.Name ?? string.Join('/', parts.TakeLast(2)), config, appearance, motion, warping, generator, stitching, device);
        }
        catch
        {
            foreach (var m in built) m.Dispose();
            throw;
        }
    }
}
