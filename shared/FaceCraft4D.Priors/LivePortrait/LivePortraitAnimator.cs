using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// Video prior (paper 3.3): animates one source portrait with a driving expression sequence while keeping the source
/// head pose, as LivePortrait's relative "exp" mode does:
/// x_d,i = s_s·(x_c,s·R_s + δ_s + Δ_i) + t_s (t_z = 0), then stitching x_d,i ← S(x_s, x_d,i), then
/// x_s + (x_d,i − x_s)·multiplier, and finally G(W(f_s; x_s, x_d,i)).
/// Images are RGB in [0, 1]; the source is [1, 3, 256, 256]; frames come out at the generator's resolution
/// ([T, 3, 512, 512] for the official upscale 2). Deterministic; one call at a time per instance.
/// </summary>
public sealed class LivePortraitAnimator : IDisposable
{
    private readonly LivePortraitNetworks _networks;
    private readonly bool _ownsNetworks;

    public LivePortraitAnimator(LivePortraitNetworks networks, bool ownsNetworks = true)
    {
        _networks = networks;
        _ownsNetworks = ownsNetworks;
    }

    /// <summary>Loads <c>models/liveportrait/{version}/</c> onto <paramref name="device"/>.</summary>
    public static async Task<LivePortraitAnimator> LoadAsync(string folder, Device device, LivePortraitLoadOptions? options = null,
        CancellationToken cancellationToken = default)
        => new(await LivePortraitLoader.LoadAsync(folder, device, options, cancellationToken).ConfigureAwait(false));

    /// <summary>Checks a model folder without loading it.</summary>
    public static ModelFolderReport Inspect(string folder, bool requireStitching = true) => LivePortraitModelFolder.Inspect(folder, requireStitching);

    public LivePortraitNetworks Networks => _networks;

    /// <summary><c>liveportrait:{model name}</c>, recorded with outputs.</summary>
    public string Backend => "liveportrait:" + _networks.Name;

    /// <summary>Motion-extractor information for a batch of images [B, 3, 256, 256] in [0, 1].</summary>
    public MotionInfo ExtractMotion(Tensor images)
    {
        using var _ = torch.inference_mode();
        using var input = images.to(ScalarType.Float32, _networks.Device);
        using var output = _networks.MotionExtractor.forward(input);
        return MotionInfo.FromOutput(output);
    }

    /// <summary>Feature volume, motion and keypoints of the source image [1, 3, 256, 256] in [0, 1].</summary>
    public SourcePortrait PrepareSource(Tensor sourceImage)
    {
        if (sourceImage.dim() != 4 || sourceImage.shape[0] != 1 || sourceImage.shape[1] != 3)
            throw new ArgumentException($"source image must be [1, 3, H, W]; got {Weights.ShapeFormat.Format(sourceImage.shape)}.");
        using var _ = torch.inference_mode();
        using var input = sourceImage.to(ScalarType.Float32, _networks.Device);
        var feature = _networks.AppearanceFeatureExtractor.forward(input);
        var motion = ExtractMotion(input);
        var keypoints = KeypointTransform.Source(motion);
        return new SourcePortrait(feature, motion, keypoints);
    }

    /// <summary>Driving signal from a driving video's frames [T, 3, 256, 256] in [0, 1] (relative to frame 0).</summary>
    public DrivingMotion ExtractDrivingMotion(Tensor frames, int batchSize = 8, CancellationToken cancellationToken = default)
    {
        var expressions = new List<Tensor>();
        try
        {
            for (long start = 0; start < frames.shape[0]; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var batch = frames.narrow(0, start, Math.Min(frames.shape[0], start + batchSize) - start);
                using var info = ExtractMotion(batch);
                expressions.Add(info.Expression.clone());
            }
            using var all = torch.cat(expressions, 0);
            return DrivingMotion.FromDrivingExpressions(all);
        }
        finally
        {
            foreach (var e in expressions) e.Dispose();
        }
    }

    /// <summary>Driven keypoints [T, K, 3] for every frame of <paramref name="driving"/> (relative expression, source pose, stitching).</summary>
    public Tensor DrivenKeypoints(SourcePortrait source, DrivingMotion driving, LivePortraitAnimationOptions options)
    {
        using var _ = torch.inference_mode();
        using var scope = NewDisposeScope();
        var m = source.Motion;
        long t = driving.FrameCount;
        var offsets = driving.ExpressionOffsets.to(ScalarType.Float32, _networks.Device);
        if (offsets.shape[1] != m.Expression.shape[1])
            throw new ArgumentException($"driving offsets have {offsets.shape[1]} keypoints, the model {m.Expression.shape[1]}.");
        var rotation = m.Rotation().expand(t, 3, 3);
        var expression = m.Expression.Plus(offsets);
        var driven = KeypointTransform.Apply(m.CanonicalKeypoints.expand(t, -1, -1), rotation, expression,
            m.Scale.expand(t, -1), m.Translation.expand(t, -1));
        var xs = source.Keypoints.expand(t, -1, -1);
        if (options.UseStitching)
        {
            var stitcher = _networks.StitchingRetargeting
                ?? throw new InvalidOperationException("UseStitching is set but no stitching_retargeting_module was loaded.");
            driven = stitcher.Stitch(xs, driven);
        }
        if (options.DrivingMultiplier != 1.0) driven = xs.Plus((driven - xs).Times(options.DrivingMultiplier));
        return driven.MoveToOuterDisposeScope();
    }

    /// <summary>Warps and decodes: driven keypoints [B, K, 3] → frames [B, 3, 512, 512] in [0, 1].</summary>
    public Tensor Render(SourcePortrait source, Tensor drivenKeypoints)
    {
        using var _ = torch.inference_mode();
        using var scope = NewDisposeScope();
        long b = drivenKeypoints.shape[0];
        var feature = source.Feature.expand(b, -1, -1, -1, -1);
        var xs = source.Keypoints.expand(b, -1, -1);
        var warped = _networks.WarpingModule.Forward(feature, drivenKeypoints.to(ScalarType.Float32, _networks.Device), xs);
        return _networks.SpadeGenerator.forward(warped).MoveToOuterDisposeScope();
    }

    /// <summary>Animates <paramref name="sourceImage"/> [1, 3, 256, 256] in [0, 1] → frames [T, 3, 512, 512] in [0, 1].</summary>
    public Tensor Animate(Tensor sourceImage, DrivingMotion driving, LivePortraitAnimationOptions options,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.FrameBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "FrameBatchSize must be ≥ 1.");
        using var source = PrepareSource(sourceImage);
        using var keypoints = DrivenKeypoints(source, driving, options);
        var frames = new List<Tensor>();
        try
        {
            for (long start = 0; start < keypoints.shape[0]; start += options.FrameBatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long end = Math.Min(keypoints.shape[0], start + options.FrameBatchSize);
                using var batch = keypoints.narrow(0, start, end - start);
                frames.Add(Render(source, batch));
                progress?.Report((int)end);
            }
            return torch.cat(frames, 0);
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    public void Dispose()
    {
        if (_ownsNetworks) _networks.Dispose();
    }
}
