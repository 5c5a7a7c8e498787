using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>The sample portrait preprocessed once (real face-api.js weights) and turned into a shape-prior input.</summary>
public sealed class SamplePortraitShapePrior : IDisposable
{
    private readonly Lazy<(ShapePriorInput Input, PreprocessResult Pre)> input;

    public SamplePortraitShapePrior()
    {
        input = new Lazy<(ShapePriorInput, PreprocessResult)>(() =>
        {
            using var pre = PortraitPreprocessorFactory.CreateAsync(PreprocessorFixture.Options(), CancellationToken.None).GetAwaiter().GetResult();
            using var photo = TestAssets.LoadPortrait();
            var options = PreprocessorFixture.Options(o => o.Alignment.CropSize = 256);
            var result = pre.PreprocessAsync(photo, options, CancellationToken.None).GetAwaiter().GetResult();
            var shapeInput = new ShapePriorInput(
                RgbImage.FromImage(result.AlignedCrop), FloatImage.FromMask(result.Mask),
                result.Landmarks.Select(v => v + 0.5f).ToArray(), result.Camera.FovDegrees);
            return (shapeInput, result);
        });
    }

    /// <summary>The built-in head model.</summary>
    public FlameModelData Model { get; } = ProceduralHeadModel.Create();

    public ShapePriorInput Input => input.Value.Input;

    /// <summary>Where tests leave images for people to look at.</summary>
    public static string ArtifactFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "fc4d-vision-tests");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public void Dispose()
    {
        if (input.IsValueCreated) input.Value.Pre.Dispose();
        Model.Dispose();
    }
}
