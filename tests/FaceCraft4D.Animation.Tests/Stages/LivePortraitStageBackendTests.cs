using FaceCraft4D.Animation.Video;
using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Animation;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.Models.Tiny;
using FaceCraft4D.Testing;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Weights.Scalars;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Tests.Stages;

/// <summary>
/// The <c>liveportrait</c> video prior's networks as the worker loads them (<see cref="LivePortraitProvider"/> through the
/// models store) from a tiny random folder in the official layout, animating in relative-expression mode.
/// </summary>
public sealed class LivePortraitStageBackendTests(ITestOutputHelper output) : IDisposable
{
    private readonly string models = Path.Combine(Path.GetTempPath(), "fc4d-tiny-liveportrait", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Driving_frames_equal_to_the_source_give_the_networks_own_reconstruction_of_the_source_for_every_frame()
    {
        await TinyLivePortraitFolder.WriteAsync(Path.Combine(models, "liveportrait", "v1"), seed: 4);
        using var provider = Provider(models);
        var photo = Photo(48);

        var (frames, reconstruction, backend) = await provider.RunExclusiveAsync(animator =>
        {
            // Relative expression: the motion of every driving frame relative to the first one is zero here.
            var video = LivePortraitVideo.Animate(animator, photo, [photo, photo, photo], 64, 48, new LivePortraitAnimationOptions(), CancellationToken.None);
            // The network's reconstruction: the source animated with zero expression offsets.
            using var scope = NewDisposeScope();
            using var still = DrivingMotion.FromExpressionDeltas(zeros([1, 5, 3]));
            var frame = animator.Animate(LivePortraitVideo.ToTensor([photo], 64), still, new LivePortraitAnimationOptions())[0]; // [3,128,128]
            var hwc = frame.permute(1, 2, 0).Clamped(0, 1).contiguous();
            var image = new RgbImage((int)hwc.shape[1], (int)hwc.shape[0], hwc.data<float>().ToArray()).Resize(48, 48);
            return (video, image, animator.Backend);
        }, CancellationToken.None);

        Assert.Equal("liveportrait:liveportrait/v1", backend);
        Assert.Equal(3, frames.Count);
        double fromPhoto = MeanAbs(reconstruction, photo);
        foreach (var frame in frames)
        {
            Assert.Equal((48, 48), (frame.Width, frame.Height));
            Assert.All(frame.Data, v => Assert.InRange(v, 0f, 1f));
            double fromReconstruction = frame.Data.Zip(reconstruction.Data, (a, b) => (double)Math.Abs(a - b)).Max();
            output.WriteLine($"max |frame - reconstruction| {fromReconstruction:E2}; mean |reconstruction - photo| {fromPhoto:F3}");
            Assert.True(fromReconstruction < 1e-4, $"{fromReconstruction}");
        }
        Assert.True(fromPhoto > 0.05, "random networks do not reproduce the photo: the check above is against the network's reconstruction");
    }

    [Fact]
    public async Task Without_the_weights_the_backend_is_unavailable_and_names_the_missing_files_and_the_folder()
    {
        Directory.CreateDirectory(Path.Combine(models, "liveportrait", "v1"));
        await File.WriteAllTextAsync(Path.Combine(models, "liveportrait", "v1", LivePortraitModelFolder.ModelsYaml), TinyLivePortraitFolder.ModelsYaml);
        using var provider = Provider(models);

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => provider.RunExclusiveAsync(a => a.Backend, CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Contains(LivePortraitModelFolder.SpadeGenerator, error.Message);
        Assert.Contains(LivePortraitModelFolder.StitchingRetargetingModule, error.Message);
        Assert.Contains(Path.Combine(models, "liveportrait/v1/"), error.Message);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(models, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static LivePortraitProvider Provider(string root) => new(
        new ModelStore(new InMemoryBlobStore(), Options.Create(new ModelStoreOptions { LocalPath = root })),
        Options.Create(new AnimationStageOptions { LivePortraitInputSize = 64 }),
        NullLogger<LivePortraitProvider>.Instance);

    private static RgbImage Photo(int size)
    {
        var image = new RgbImage(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float r = MathF.Sqrt(MathF.Pow(x - size / 2f, 2) + MathF.Pow(y - size / 2.2f, 2)) / size;
                image[x, y] = r < 0.3f ? new System.Numerics.Vector3(0.8f, 0.6f, 0.5f - r) : new System.Numerics.Vector3(0.2f, 0.3f + y / (2f * size), 0.7f);
            }
        return image;
    }

    private static double MeanAbs(RgbImage a, RgbImage b) => a.Data.Zip(b.Data, (x, y) => (double)Math.Abs(x - y)).Average();
}
