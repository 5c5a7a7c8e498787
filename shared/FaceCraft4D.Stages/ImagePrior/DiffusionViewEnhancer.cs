using FaceCraft4D.Priors;
using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Weights;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Weights.Scalars;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary>
/// The <c>diffusion</c> image-prior backend (paper 3.2, supp. 6.2): the coarse view is DDIM-inverted to the
/// strength's timestep and denoised with cross-view mutual attention to the reference portrait, while the anchors
/// warped into the view are copy-pasted into the latent under the soft latent mask at every step
/// (<see cref="MultiViewDiffusionEnhancer"/>). Needs the converted model folder; without it every call answers
/// <see cref="BackendUnavailableException"/> naming the missing files. The folder is looked for under the local models folder,
/// then in the models container (copied to <see cref="DiffusionViewEnhancerOptions.CacheFolder"/>). The model is loaded once per worker.
/// </summary>
public sealed class DiffusionViewEnhancer(IOptions<DiffusionViewEnhancerOptions> options, IOptions<ModelStoreOptions> store, ModelStore? models = null) : IViewEnhancer, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private MultiViewDiffusionEnhancer? enhancer;
    private Device device = CPU;

    /// <inheritdoc />
    public string Name => ViewEnhancers.Diffusion;

    /// <inheritdoc />
    public async Task<EnhancedView> EnhanceAsync(ViewEnhancementInput input, CancellationToken cancellationToken)
    {
        // One view at a time per loaded model (the ported networks are not thread-safe).
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var model = enhancer ??= await LoadAsync(cancellationToken).ConfigureAwait(false);
            var settings = options.Value;
            var enhance = new MultiViewEnhanceOptions
            {
                Steps = input.DiffusionSteps,
                Strength = input.DiffusionStrength,
                GuidanceScale = settings.Enhance.GuidanceScale,
                MutualAttention = settings.Enhance.MutualAttention,
                WarpedNoising = settings.Enhance.WarpedNoising,
                BlendStepFraction = settings.Enhance.BlendStepFraction,
                Seed = input.Seed,
            };
            using var scope = NewDisposeScope();
            var reference = ToTensor(input.Reference.Image.Resize(input.Coarse.Width, input.Coarse.Height), device); // [1,3,H,W] in [-1,1]
            var coarse = ToTensor(input.Coarse, device);                                                           // [1,3,H,W]
            if ((int)(input.DiffusionSteps * input.DiffusionStrength) < 1)
            {
                // Strength 0 (or below one step of the schedule): nothing is re-noised, so DDIM inversion then sampling
                // is the identity on the latent; the view is the coarse one through the VAE (encode, decode).
                using var roundTrip = model.DecodeLatents(model.EncodeImages(coarse));                            // [1,3,H,W]
                return new EnhancedView(FromTensor(roundTrip), model.Backend, new Dictionary<string, double>
                {
                    ["steps"] = input.DiffusionSteps,
                    ["strength"] = input.DiffusionStrength,
                    ["timesteps"] = 0,
                });
            }

            var warpedLatents = model.EncodeImages(ToTensor(input.Warped.Image, device));                          // [1,4,H/8,W/8]
            // The soft mask averaged to the latent grid of this VAE (1/8 for SD-class models).
            var soft = from_array(input.Warped.SoftMask.Data).reshape(1, 1, input.Warped.SoftMask.Height, input.Warped.SoftMask.Width).to(device);
            var masks = nn.functional.adaptive_avg_pool2d(soft, [warpedLatents.shape[2], warpedLatents.shape[3]]);             // [1,1,h,w]
            using var result = model.Enhance(new MultiViewEnhanceRequest(reference, coarse, warpedLatents, masks), enhance, null, cancellationToken);
            var image = FromTensor(result.Images);
            return new EnhancedView(image, result.Backend, new Dictionary<string, double>
            {
                ["steps"] = input.DiffusionSteps,
                ["strength"] = input.DiffusionStrength,
                ["timesteps"] = result.Timesteps.Length,
            });
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        enhancer?.Dispose();
        gate.Dispose();
    }

    private async Task<MultiViewDiffusionEnhancer> LoadAsync(CancellationToken cancellationToken)
    {
        var folder = options.Value.Folder;
        if (!Path.IsPathRooted(folder))
        {
            folder = store.Value.LocalPath is { Length: > 0 } root ? Path.Combine(root, folder) : folder;
        }

        var report = MultiViewDiffusionEnhancer.Inspect(folder);
        if (!report.IsComplete && models is not null && !Path.IsPathRooted(options.Value.Folder))
        {
            // Not in the local models folder: the models container, copied to a local cache (the loader reads files).
            var cache = Path.Combine(options.Value.CacheFolder ?? Path.Combine(Path.GetTempPath(), "fc4d-models"),
                options.Value.Folder.Replace('/', Path.DirectorySeparatorChar));
            if (await DiffusionModelCache.CopyAsync(models, options.Value.Folder, cache, cancellationToken).ConfigureAwait(false) > 0)
            {
                var cached = MultiViewDiffusionEnhancer.Inspect(cache);
                if (cached.IsComplete || !Directory.Exists(folder)) (folder, report) = (cache, cached);
            }
        }
        if (!report.IsComplete)
        {
            throw new BackendUnavailableException(
                $"diffusion weights are not available in this worker ({report}{(models is null ? "" : $"; looked in {models.Describe(options.Value.Folder)}")}); convert them as the priors README describes and set " +
                $"{DiffusionViewEnhancerOptions.SectionName}:Folder or Fc4d:Models:LocalPath");
        }

        device = new Device(options.Value.Device);
        try
        {
            return await MultiViewDiffusionEnhancer.LoadAsync(folder, device, new DiffusionLoadOptions(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WeightLoadException or ModelFolderException or NotSupportedException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new BackendUnavailableException($"the diffusion model folder {folder} does not load: {e.Message}");
        }
    }

    private static Tensor ToTensor(RgbImage image, Device device) =>
        (from_array(image.Data).reshape(image.Height, image.Width, 3).permute(2, 0, 1).unsqueeze(0).to(device).Times(2)).Minus(1);

    private static RgbImage FromTensor(Tensor images)
    {
        using var scope = NewDisposeScope();
        var hwc = ((images[0].Clamped(-1, 1).Plus(1)).DividedBy(2)).permute(1, 2, 0).contiguous().to(CPU).to_type(ScalarType.Float32); // [H,W,3]
        return new RgbImage((int)hwc.shape[1], (int)hwc.shape[0], hwc.data<float>().ToArray());
    }
}
