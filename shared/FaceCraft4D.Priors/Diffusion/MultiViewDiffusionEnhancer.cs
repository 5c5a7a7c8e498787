using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Image-prior enhancement of novel views (paper 3.2 + supp. 6.2). For a reference view and N coarse target views:
/// <list type="number">
/// <item>encode all views (VAE posterior mean, scaled);</item>
/// <item>DDIM-invert [reference; targets; warped latents] with plain self-attention and the conditional prompt up to
///   the level of step ⌊T·strength⌋ (T = 25, strength 0.4 → 10 steps), keeping the trajectories;</item>
/// <item>denoise the targets for those steps as one batch with the reference at index 0, whose latent is taken from
///   its own inversion trajectory at every step; target self-attention uses the reference's keys/values
///   (<see cref="MutualSelfAttentionProcessor"/>, placement from <see cref="MutualAttentionOptions"/>);</item>
/// <item>after every step blend: z ← m·noised(warped, t) + (1 − m)·z (<see cref="LatentBlender"/>);</item>
/// <item>decode.</item>
/// </list>
/// Deterministic: the same inputs and options give the same output. Install once per model; not thread-safe
/// (one enhancement at a time per instance).
/// </summary>
public sealed class MultiViewDiffusionEnhancer : IDisposable
{
    private readonly LatentDiffusionModel _model;
    private readonly MutualAttentionController _controller;
    private readonly bool _ownsModel;

    /// <param name="model">A loaded model; its UNet self-attention processors are replaced by mutual-attention ones.</param>
    /// <param name="ownsModel">Dispose the model with the enhancer.</param>
    public MultiViewDiffusionEnhancer(LatentDiffusionModel model, bool ownsModel = true)
    {
        _model = model;
        _ownsModel = ownsModel;
        _controller = new MutualAttentionController(new MutualAttentionOptions());
        model.Unet.SetAttentionProcessors(site => site.IsSelfAttention
            ? new MutualSelfAttentionProcessor(_controller)
            : ScaledDotProductAttentionProcessor.Instance);
    }

    /// <summary>Loads <c>models/{prior}/{version}/</c> (see <see cref="DiffusionModelFolder"/>) onto <paramref name="device"/>.</summary>
    public static async Task<MultiViewDiffusionEnhancer> LoadAsync(string folder, Device device, DiffusionLoadOptions? options = null,
        CancellationToken cancellationToken = default)
        => new(await LatentDiffusionModelLoader.LoadAsync(folder, device, options, cancellationToken).ConfigureAwait(false));

    /// <summary>Checks a model folder without loading it (which files are present/missing).</summary>
    public static ModelFolderReport Inspect(string folder, string? variant = null) => DiffusionModelFolder.Inspect(folder, variant);

    public LatentDiffusionModel Model => _model;

    /// <summary><c>diffusion:{model name}</c>, recorded in results.</summary>
    public string Backend => "diffusion:" + _model.Name;

    /// <summary>[B, 3, H, W] in [-1, 1] → scaled latents [B, 4, H/8, W/8] on the model device.</summary>
    public Tensor EncodeImages(Tensor images)
    {
        using var _ = torch.inference_mode();
        using var input = images.to(_model.DType, _model.Device);
        return _model.Vae.Encode(input);
    }

    /// <summary>Scaled latents [B, 4, h, w] → images [B, 3, 8h, 8w] clamped to [-1, 1].</summary>
    public Tensor DecodeLatents(Tensor latents)
    {
        using var _ = torch.inference_mode();
        using var input = latents.to(_model.DType, _model.Device);
        using var decoded = _model.Vae.Decode(input);
        return decoded.Clamped(-1.0, 1.0);
    }

    /// <summary>Enhances the target views of <paramref name="request"/> (see type remarks).</summary>
    public MultiViewEnhanceResult Enhance(MultiViewEnhanceRequest request, MultiViewEnhanceOptions options,
        IDenoisingObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ValidateImages(request);
        using var scope = NewDisposeScope();
        var reference = EncodeImages(request.ReferenceImage);
        var targets = EncodeImages(request.CoarseImages);
        var latents = EnhanceLatents(reference, targets, request.WarpedLatents, request.Masks, options, observer, cancellationToken);
        var images = DecodeLatents(latents);
        var plan = _model.Scheduler.Plan(options.Steps, options.Strength);
        return new MultiViewEnhanceResult(images.MoveToOuterDisposeScope(), latents.MoveToOuterDisposeScope(), Backend, plan.Timesteps);
    }

    /// <summary>
    /// The latent-space core of <see cref="Enhance"/>.
    /// </summary>
    /// <param name="referenceLatent">[1, 4, h, w] scaled latent of the reference.</param>
    /// <param name="targetLatents">[N, 4, h, w] scaled latents of the coarse targets.</param>
    /// <param name="warpedLatents">[N, 4, h, w] or null (no blending).</param>
    /// <param name="masks">[N, 1, h, w] in [0, 1], required with <paramref name="warpedLatents"/>.</param>
    /// <returns>[N, 4, h, w] enhanced latents.</returns>
    public Tensor EnhanceLatents(Tensor referenceLatent, Tensor targetLatents, Tensor? warpedLatents, Tensor? masks,
        MultiViewEnhanceOptions options, IDenoisingObserver? observer = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        ValidateLatents(referenceLatent, targetLatents, warpedLatents, masks);
        bool useGuidance = options.GuidanceScale > 1.0;
        if (useGuidance && _model.Conditioning.NegativePromptEmbeds is null)
            throw new InvalidOperationException($"GuidanceScale {options.GuidanceScale} needs negative_prompt_embeds in {PromptConditioning.FileName}.");

        using var mode = torch.inference_mode();
        using var scope = NewDisposeScope();
        var scheduler = _model.Scheduler;
        var plan = scheduler.Plan(options.Steps, options.Strength);
        long n = targetLatents.shape[0];
        bool blending = warpedLatents is not null;
        bool invertWarped = blending && options.WarpedNoising == WarpedLatentNoising.DdimInversion;
        var device = _model.Device;
        var dtype = _model.DType;
        var refLatent = referenceLatent.to(dtype, device);
        var tgtLatents = targetLatents.to(dtype, device);
        var warped = warpedLatents?.to(dtype, device);
        var mask = masks?.to(dtype, device);

        // 1. Inversion of [reference; targets; (warped)] with plain attention.
        _controller.Options = options.MutualAttention;
        _controller.SamplingPass = false;
        _controller.BatchGroups = 1;
        var inversionBatch = invertWarped ? torch.cat([refLatent, tgtLatents, warped!], 0) : torch.cat([refLatent, tgtLatents], 0);
        var trajectory = DdimSampler.Invert(scheduler, plan, inversionBatch,
            (x, t) => PredictNoise(x, t, guidanceScale: 1.0), cancellationToken);

        Tensor? fixedNoise = null;
        if (blending && !invertWarped)
        {
            using var generator = new Generator((ulong)options.Seed, torch.CPU);
            fixedNoise = torch.randn(warped!.shape, ScalarType.Float32, torch.CPU, generator: generator).to(dtype, device);
        }
        Tensor? WarpedAt(int k) => !blending ? null
            : invertWarped ? trajectory[k][(1 + (int)n)..]
            : scheduler.AddNoise(warped!, fixedNoise!, plan.LevelTimestep(k));

        // 2. Denoising with mutual attention and blending.
        var z = trajectory[0][1..(1 + (int)n)];
        if (blending) z = LatentBlender.Blend(z, WarpedAt(0)!, mask!);
        int blendSteps = (int)Math.Round(options.BlendStepFraction * plan.Count);
        for (int i = 0; i < plan.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            int t = plan.Timesteps[i], next = plan.NextTimestep(i);
            var batch = torch.cat([trajectory[i][0..1], z], 0);
            _controller.SamplingPass = true;
            _controller.CurrentStep = i;
            var output = PredictNoise(batch, t, options.GuidanceScale);
            _controller.SamplingPass = false;
            var stepped = scheduler.Step(output, t, next, batch);
            var denoised = stepped[1..];
            var noisedWarped = WarpedAt(i + 1);
            var blended = blending && i < blendSteps ? LatentBlender.Blend(denoised, noisedWarped!, mask!) : denoised;
            observer?.OnStep(new DenoisingStepRecord(i, t, next, denoised, blended, noisedWarped, mask));
            z = blended.MoveToOuterDisposeScope();
        }
        return z.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// UNet prediction for a batch whose item 0 is the reference; with guidance the batch is duplicated into
    /// [uncond group; cond group] and combined as uncond + g·(cond − uncond).
    /// </summary>
    private Tensor PredictNoise(Tensor latents, int timestep, double guidanceScale)
    {
        using var scope = NewDisposeScope();
        var c = _model.Conditioning;
        long b = latents.shape[0];
        bool guided = guidanceScale > 1.0;
        var cond = c.PromptEmbeds.expand(b, -1, -1);
        SdxlAddedConditions? added = null;
        if (_model.Unet.Config.AdditionEmbedType == "text_time")
        {
            var pooled = c.PooledPromptEmbeds!.expand(b, -1);
            var ids = c.AddTimeIds!.expand(b, -1);
            if (guided)
            {
                var negPooled = (c.NegativePooledPromptEmbeds ?? torch.zeros_like(c.PooledPromptEmbeds!)).expand(b, -1);
                added = new SdxlAddedConditions(torch.cat([negPooled, pooled], 0), torch.cat([ids, ids], 0));
            }
            else added = new SdxlAddedConditions(pooled, ids);
        }
        var input = guided ? torch.cat([latents, latents], 0) : latents;
        var context = guided ? torch.cat([c.NegativePromptEmbeds!.expand(b, -1, -1), cond], 0) : cond;
        var t = HeldScalarOps.Hold(timestep.ToScalar(), held => torch.full([input.shape[0]], held, ScalarType.Float32, latents.device));
        _controller.BatchGroups = guided ? 2 : 1;
        var output = _model.Unet.Forward(input, t, context, added);
        _controller.BatchGroups = 1;
        if (!guided) return output.MoveToOuterDisposeScope();
        var parts = output.chunk(2, 0);
        return parts[0].Plus((parts[1] - parts[0]).Times(guidanceScale)).MoveToOuterDisposeScope();
    }

    private static void ValidateImages(MultiViewEnhanceRequest r)
    {
        if (r.ReferenceImage.dim() != 4 || r.ReferenceImage.shape[0] != 1 || r.ReferenceImage.shape[1] != 3)
            throw new ArgumentException($"ReferenceImage must be [1, 3, H, W]; got {Weights.ShapeFormat.Format(r.ReferenceImage.shape)}.");
        if (r.CoarseImages.dim() != 4 || r.CoarseImages.shape[1] != 3 || !r.CoarseImages.shape[2..].SequenceEqual(r.ReferenceImage.shape[2..]))
            throw new ArgumentException($"CoarseImages must be [N, 3, H, W] with the reference's H, W; got {Weights.ShapeFormat.Format(r.CoarseImages.shape)}.");
        if (r.ReferenceImage.shape[2] % 8 != 0 || r.ReferenceImage.shape[3] % 8 != 0)
            throw new ArgumentException("Image height and width must be multiples of 8.");
    }

    private static void ValidateLatents(Tensor reference, Tensor targets, Tensor? warped, Tensor? masks)
    {
        string S(Tensor t) => Weights.ShapeFormat.Format(t.shape);
        if (reference.dim() != 4 || reference.shape[0] != 1) throw new ArgumentException($"reference latent must be [1, C, h, w]; got {S(reference)}.");
        if (targets.dim() != 4 || !targets.shape[1..].SequenceEqual(reference.shape[1..]))
            throw new ArgumentException($"target latents must be [N, C, h, w] like the reference; got {S(targets)}.");
        if ((warped is null) != (masks is null)) throw new ArgumentException("Warped latents and masks must be given together.");
        if (warped is not null && !warped.shape.SequenceEqual(targets.shape))
            throw new ArgumentException($"warped latents {S(warped)} must match target latents {S(targets)}.");
        if (masks is not null && !masks.shape.SequenceEqual(new[] { targets.shape[0], 1, targets.shape[2], targets.shape[3] }))
            throw new ArgumentException($"masks must be [N, 1, h, w] = [{targets.shape[0]}, 1, {targets.shape[2]}, {targets.shape[3]}]; got {S(masks)}.");
    }

    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
    }
}
