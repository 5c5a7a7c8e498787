using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.LivePortrait;

public class LivePortraitAnimatorTests
{
    private static Tensor SourceImage(long seed) => torch.rand([1, 3, 64, 64], generator: new Generator((ulong)seed, CPU));

    [Fact]
    public void DrivenKeypoints_WithoutStitching_AreSourceKeypointsPlusScaledOffsets_SoThePoseIsKept()
    {
        using var animator = new LivePortraitAnimator(LivePortraitNetworks.CreateRandom(TinyModels.LivePortrait(), CPU, 3));
        using var source = animator.PrepareSource(SourceImage(1));
        using var offsets = torch.randn([4, 5, 3], generator: new Generator(2, CPU)).Times(0.05);
        using var driving = DrivingMotion.FromExpressionDeltas(offsets);
        using var driven = animator.DrivenKeypoints(source, driving, new LivePortraitAnimationOptions { UseStitching = false });
        // x_d = s·(x_c R + δ_s + Δ) + t = x_s + s·Δ
        var scale = source.Motion.Scale.item<float>();
        using var expected = source.Keypoints.expand(4, -1, -1).Plus(offsets.Times(scale));
        TensorAssert.Close(expected, driven, 1e-5);

        using var zero = DrivingMotion.FromExpressionDeltas(torch.zeros([2, 5, 3]));
        using var still = animator.DrivenKeypoints(source, zero, new LivePortraitAnimationOptions { UseStitching = false });
        TensorAssert.Close(source.Keypoints.expand(2, -1, -1), still, 1e-6);
    }

    [Fact]
    public void DrivenKeypoints_WithStitching_AddTheStitchingMlpDelta_AndMultiplierScalesMotion()
    {
        using var animator = new LivePortraitAnimator(LivePortraitNetworks.CreateRandom(TinyModels.LivePortrait(), CPU, 3));
        using var source = animator.PrepareSource(SourceImage(1));
        using var driving = DrivingMotion.FromExpressionDeltas(torch.randn([3, 15], generator: new Generator(4, CPU)).Times(0.05));
        using var plain = animator.DrivenKeypoints(source, driving, new LivePortraitAnimationOptions { UseStitching = false });
        using var stitched = animator.DrivenKeypoints(source, driving, new LivePortraitAnimationOptions());
        using var manual = animator.Networks.StitchingRetargeting!.Stitch(source.Keypoints.expand(3, -1, -1), plain);
        TensorAssert.Close(manual, stitched, 1e-6);

        using var doubled = animator.DrivenKeypoints(source, driving, new LivePortraitAnimationOptions { DrivingMultiplier = 2 });
        var xs = source.Keypoints.expand(3, -1, -1);
        TensorAssert.Close(xs.Plus((stitched - xs).Times(2)), doubled, 1e-5);
    }

    [Fact]
    public void DrivingFromVideoFrames_IsRelativeToTheFirstFrame()
    {
        using var animator = new LivePortraitAnimator(LivePortraitNetworks.CreateRandom(TinyModels.LivePortrait(), CPU, 3));
        using var frames = torch.rand([5, 3, 64, 64], generator: new Generator(6, CPU));
        using var driving = animator.ExtractDrivingMotion(frames, batchSize: 2);
        Assert.Equal(5, driving.FrameCount);
        Assert.Equal("motion-extractor", driving.Source);
        Assert.Equal(0.0, driving.ExpressionOffsets[0].abs().max().item<float>());
        using var info = animator.ExtractMotion(frames);
        TensorAssert.Close(info.Expression[3] - info.Expression[0], driving.ExpressionOffsets[3], 1e-6);
    }

    [Fact]
    public void Animate_ProducesOneFramePerDrivingStep_InUnitRange_Deterministically_IndependentOfBatching()
    {
        using var a = new LivePortraitAnimator(LivePortraitNetworks.CreateRandom(TinyModels.LivePortrait(), CPU, 3));
        using var b = new LivePortraitAnimator(LivePortraitNetworks.CreateRandom(TinyModels.LivePortrait(), CPU, 3));
        using var image = SourceImage(7);
        using var driving = DrivingMotion.FromExpressionDeltas(torch.randn([3, 5, 3], generator: new Generator(8, CPU)).Times(0.05));
        var progress = new List<int>();
        using var fa = a.Animate(image, driving, new LivePortraitAnimationOptions { FrameBatchSize = 2 }, new SyncProgress(progress));
        using var fb = b.Animate(image, driving, new LivePortraitAnimationOptions { FrameBatchSize = 3 });
        TensorAssert.Shape(fa, 3, 3, 128, 128);
        Assert.InRange(fa.min().item<float>(), 0f, 1f);
        Assert.InRange(fa.max().item<float>(), 0f, 1f);
        // Float32 reordering noise between batch sizes: 2.4e-6..3.5e-6 measured (1-8 threads, AVX2/AVX-512 kernels); in
        // float64 the batchings are identical (next test), so anything above 1e-5 is a real difference.
        TensorAssert.Close(fa, fb, 1e-5);
        Assert.Equal([2, 3], progress);
        Assert.True(TensorAssert.MaxAbsDiff(fa[0], fa[2]) > 1e-5, "different expressions should render differently");
        Assert.Equal("liveportrait:random", a.Backend);
    }

    [Fact]
    public void Render_InFloat64_IsExactlyIndependentOfBatching_AndLeavesEveryWeightAndBufferUnchanged()
    {
        // Float64 removes float32 reordering noise, so any batch dependence left (a BatchNorm in train mode, a spectral
        // norm updating u/v, an in-place op on a shared tensor) shows as a difference well above 1e-12.
        using var animator = new LivePortraitAnimator(LivePortraitNetworks.CreateRandom(TinyModels.LivePortrait(), CPU, 3));
        var networks = animator.Networks;
        using var source = animator.PrepareSource(SourceImage(7));
        using var driving = DrivingMotion.FromExpressionDeltas(torch.randn([3, 5, 3], generator: new Generator(8, CPU)).Times(0.05));
        using var keypoints = animator.DrivenKeypoints(source, driving, new LivePortraitAnimationOptions());
        networks.WarpingModule.to(ScalarType.Float64);
        networks.SpadeGenerator.to(ScalarType.Float64);
        var before = networks.WarpingModule.state_dict().Concat(networks.SpadeGenerator.state_dict().Select(kv => KeyValuePair.Create("G." + kv.Key, kv.Value)))
            .ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var _ = torch.inference_mode();
        using var feature = source.Feature.to(ScalarType.Float64);
        using var xs = source.Keypoints.to(ScalarType.Float64);
        using var xd = keypoints.to(ScalarType.Float64);
        Tensor Frames(long start, long count) => networks.SpadeGenerator.forward(networks.WarpingModule.Forward(
            feature.expand(count, -1, -1, -1, -1), xd.narrow(0, start, count), xs.expand(count, -1, -1)));
        using var all = Frames(0, 3);
        using var split = torch.cat([Frames(0, 2), Frames(2, 1)], 0);
        using var single = torch.cat([Frames(0, 1), Frames(1, 1), Frames(2, 1)], 0);
        Assert.Equal(ScalarType.Float64, all.dtype);
        TensorAssert.Close(all, split, 1e-12);
        TensorAssert.Close(all, single, 1e-12);
        var after = networks.WarpingModule.state_dict().Concat(networks.SpadeGenerator.state_dict().Select(kv => KeyValuePair.Create("G." + kv.Key, kv.Value)));
        foreach (var (key, value) in after)
            Assert.True(TensorAssert.MaxAbsDiff(before[key], value) == 0, $"{key} changed during inference");
        foreach (var module in networks.Modules())
            Assert.All(module.modules(), m => Assert.False(m.training, $"{m.GetName()} is in train mode"));
    }

    [Fact]
    public async Task ModelFolder_RoundTripsAllFiveCheckpoints_IncludingBatchNormStatsAndSpectralVectors()
    {
        using var dir = new TempDirectory();
        var root = Path.Combine(dir.Path, "liveportrait", "v1");
        Directory.CreateDirectory(root);
        var config = TinyModels.LivePortrait();
        using var original = LivePortraitNetworks.CreateRandom(config, CPU, 11);
        await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(root, LivePortraitModelFolder.AppearanceFeatureExtractor), original.AppearanceFeatureExtractor);
        await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(root, LivePortraitModelFolder.MotionExtractor), original.MotionExtractor);
        await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(root, LivePortraitModelFolder.WarpingModule), original.WarpingModule);
        await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(root, LivePortraitModelFolder.SpadeGenerator), original.SpadeGenerator);
        await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(root, LivePortraitModelFolder.StitchingRetargetingModule), original.StitchingRetargeting!);
        using var loaded = await LivePortraitAnimator.LoadAsync(root, CPU, new LivePortraitLoadOptions { Config = config });
        Assert.Equal("liveportrait:liveportrait/v1", loaded.Backend);
        Assert.Contains("first.norm.running_var", loaded.Networks.AppearanceFeatureExtractor.state_dict().Keys);
        using var reference = new LivePortraitAnimator(original, ownsNetworks: false);
        using var image = SourceImage(12);
        using var driving = DrivingMotion.FromExpressionDeltas(torch.randn([2, 5, 3], generator: new Generator(13, CPU)).Times(0.05));
        using var expected = reference.Animate(image, driving, new LivePortraitAnimationOptions());
        using var actual = loaded.Animate(image, driving, new LivePortraitAnimationOptions());
        TensorAssert.Close(expected, actual, 1e-6);
    }

    [Fact]
    public async Task IncompleteFolder_ListsMissingCheckpoints()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("readme.txt"), "not a checkpoint");
        var ex = await Assert.ThrowsAsync<ModelFolderException>(() => LivePortraitLoader.LoadAsync(dir.Path, CPU));
        Assert.Equal(5, ex.Report.Missing.Count);
        Assert.Contains("spade_generator.safetensors", ex.Message);
        var optional = LivePortraitAnimator.Inspect(dir.Path, requireStitching: false);
        Assert.Equal(4, optional.Missing.Count);
    }

    [Fact]
    public void Stitching_Requested_WithoutTheModule_IsAClearError()
    {
        var config = TinyModels.LivePortrait();
        using var full = LivePortraitNetworks.CreateRandom(config, CPU, 3);
        using var nets = new LivePortraitNetworks("no-stitch", config, full.AppearanceFeatureExtractor, full.MotionExtractor, full.WarpingModule, full.SpadeGenerator, null, CPU);
        var animator = new LivePortraitAnimator(nets, ownsNetworks: false);
        using var source = animator.PrepareSource(SourceImage(1));
        using var driving = DrivingMotion.FromExpressionDeltas(torch.zeros([1, 5, 3]));
        var ex = Assert.Throws<InvalidOperationException>(() => animator.DrivenKeypoints(source, driving, new LivePortraitAnimationOptions()));
        Assert.Contains("stitching", ex.Message);
    }

    private sealed class SyncProgress(List<int> values) : IProgress<int>
    {
        public void Report(int value) => values.Add(value);
    }
}
