using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Benchmarks;

/// <summary>LivePortrait timings for the official models.yaml configuration (random fp32 weights, 256² source).</summary>
public static class LivePortraitBenchmark
{
    public static void Run(int runs, Action<string> print)
    {
        print("LivePortrait: official models.yaml configuration, fp32, random weights, source 256x256 -> frames 512x512");
        using var networks = LivePortraitNetworks.CreateRandom(LivePortraitConfig.Official(), CPU, 3);
        using var animator = new LivePortraitAnimator(networks, ownsNetworks: false);
        using var image = torch.rand([1, 3, 256, 256]);
        double prepare = Timing.MedianSeconds(() => { using var s = animator.PrepareSource(image); }, runs);
        print($"  source preparation (appearance F + motion M): {Timing.Format(prepare)}");
        double motion = Timing.MedianSeconds(() => { using var m = animator.ExtractMotion(image); }, runs);
        print($"  motion extractor per driving frame: {Timing.Format(motion)}");
        using var source = animator.PrepareSource(image);
        using var driving = DrivingMotion.FromExpressionDeltas(torch.randn([1, 21, 3]).Times(0.02));
        using var keypoints = animator.DrivenKeypoints(source, driving, new LivePortraitAnimationOptions());
        double warp = Timing.MedianSeconds(() =>
        {
            using var _ = torch.inference_mode();
            using var w = networks.WarpingModule.Forward(source.Feature, keypoints, source.Keypoints);
        }, runs);
        print($"  warping module W (dense motion + warp) per frame: {Timing.Format(warp)}");
        double frame = Timing.MedianSeconds(() => { using var f = animator.Render(source, keypoints); }, runs);
        print($"  frame (W + SPADE generator G), batch 1: {Timing.Format(frame)}");
        print($"  => one AnimateView clip of 100 frames: ~{Timing.Format(prepare + 100 * frame)}");
    }
}
