using TorchSharp;
using FaceCraft4D.Weights;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Loads a latent diffusion model folder (see <see cref="DiffusionModelFolder"/>): configs first, then each sub-model
/// built on the target device and filled strictly by name. Missing files raise <see cref="ModelFolderException"/>
/// (all of them listed); missing/unexpected keys or wrong shapes raise <see cref="WeightLoadException"/>.
/// The folder path is the only I/O.
/// </summary>
public static class LatentDiffusionModelLoader
{
    public static async Task<LatentDiffusionModel> LoadAsync(string folder, Device device, DiffusionLoadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new DiffusionLoadOptions();
        var report = DiffusionModelFolder.Inspect(folder, options.Variant);
        if (!report.IsComplete) throw new ModelFolderException(report);
        string Path(string rel) => System.IO.Path.Combine(folder, rel);
        string Weights(string sub) => Path(DiffusionModelFolder.WeightCandidates(sub, options.Variant).First(r => File.Exists(Path(r))));

        var unetConfig = await UNet2DConditionConfig.LoadAsync(Path(DiffusionModelFolder.UnetConfig), cancellationToken).ConfigureAwait(false);
        var vaeConfig = await AutoencoderKLConfig.LoadAsync(Path(DiffusionModelFolder.VaeConfig), cancellationToken).ConfigureAwait(false);
        var schedulerConfig = await DdimSchedulerConfig.LoadAsync(Path(DiffusionModelFolder.SchedulerConfig), cancellationToken).ConfigureAwait(false);

        UNet2DConditionModel? unet = null;
        AutoencoderKL? vae = null;
        PromptConditioning? conditioning = null;
        try
        {
            unet = await LoadUNetAsync(unetConfig, Weights("unet"), device, cancellationToken).ConfigureAwait(false);
            vae = await LoadVaeAsync(vaeConfig, Weights("vae"), device, cancellationToken).ConfigureAwait(false);
            if (options.DType != ScalarType.Float32)
            {
                unet.to(options.DType);
                vae.to(options.DType);
            }
            conditioning = await PromptConditioning.LoadAsync(Path(PromptConditioning.FileName), device, options.DType, cancellationToken).ConfigureAwait(false);
            string name = options.Name ?? DefaultName(folder);
            return new LatentDiffusionModel(name, unet, vae, new DdimScheduler(schedulerConfig), conditioning, device, options.DType);
        }
        catch
        {
            unet?.Dispose();
            vae?.Dispose();
            conditioning?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds a UNet from <paramref name="config"/> on <paramref name="device"/> and fills it strictly from one
    /// diffusers-format safetensors file (every key consumed, none missing, shapes equal); float32.
    /// </summary>
    public static async Task<UNet2DConditionModel> LoadUNetAsync(UNet2DConditionConfig config, string weightsPath, Device device,
        CancellationToken cancellationToken = default)
    {
        var unet = new UNet2DConditionModel(config, device);
        try
        {
            using var source = await SafeTensorsSource.OpenAsync(weightsPath, cancellationToken).ConfigureAwait(false);
            await StateDictLoader.LoadAsync(unet, source, "unet", null, cancellationToken).ConfigureAwait(false);
            unet.eval();
            return unet;
        }
        catch
        {
            unet.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds an AutoencoderKL from <paramref name="config"/> on <paramref name="device"/> and fills it strictly from
    /// one diffusers-format safetensors file; float32.
    /// </summary>
    public static async Task<AutoencoderKL> LoadVaeAsync(AutoencoderKLConfig config, string weightsPath, Device device,
        CancellationToken cancellationToken = default)
    {
        var vae = new AutoencoderKL(config, device);
        try
        {
            using var source = await SafeTensorsSource.OpenAsync(weightsPath, cancellationToken).ConfigureAwait(false);
            await StateDictLoader.LoadAsync(vae, source, "vae", null, cancellationToken).ConfigureAwait(false);
            vae.eval();
            return vae;
        }
        catch
        {
            vae.Dispose();
            throw;
        }
    }

    private static string DefaultName(string folder)
    {
        var parts = System.IO.Path.GetFullPath(folder).TrimEnd(System.IO.Path.DirectorySeparatorChar)
            .Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        return string.Join('/', parts.TakeLast(2));
    }
}
