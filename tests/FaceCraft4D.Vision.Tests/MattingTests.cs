using FaceCraft4D.Vision.Preprocessing.Matting;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests;

public sealed class MattingTests
{
    private readonly ITestOutputHelper output;

    public MattingTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public async Task GrabCut_matting_recovers_known_silhouettes_on_clutter()
    {
        var matting = new GrabCutMatting(new MattingOptions());
        var ious = new List<double>();
        foreach (int seed in new[] { 11, 12, 13, 14 })
        {
            var scene = SyntheticPortrait.Create(seed);
            var result = await matting.MatteAsync(scene.Image, scene.Landmarks, CancellationToken.None);
            int inter = 0, union = 0, soft = 0;
            for (int i = 0; i < scene.Truth.Length; i++)
            {
                bool fg = result.Alpha[i] >= 0.5f;
                if (fg && scene.Truth[i]) inter++;
                if (fg || scene.Truth[i]) union++;
                if (result.Alpha[i] is > 0f and < 1f) soft++;
            }
            double iou = (double)inter / union;
            ious.Add(iou);
            output.WriteLine($"seed {seed}: mask IoU {iou:F4}, soft alpha pixels {soft}");
            Assert.True(iou > 0.9, $"seed {seed}: IoU {iou:F4}");
            Assert.True(soft > 0, "expected a soft alpha band at the boundary");
            Assert.Equal(GrabCutMatting.Label, result.Backend);
        }
        output.WriteLine($"mean IoU {ious.Average():F4}");
        Assert.True(ious.Average() > 0.93, $"mean IoU {ious.Average():F4}");
    }

    [Fact]
    public void Trimap_marks_face_core_as_sure_foreground_and_corners_as_sure_background()
    {
        var scene = SyntheticPortrait.Create(1);
        var t = PortraitTrimap.Build(512, 512, scene.Landmarks, new MattingOptions());
        var (nx, ny) = scene.Landmarks[30];
        Assert.Equal(TrimapLabel.SureForeground, t[(int)ny * 512 + (int)nx]);
        Assert.Equal(TrimapLabel.SureBackground, t[0]);
        Assert.Equal(TrimapLabel.SureBackground, t[511]);
    }
}
