using FaceCraft4D.Metrics.Protocol;

namespace FaceCraft4D.Metrics.Tests.Protocol;

public class EvaluationProtocolTests
{
    [Fact]
    public void DefaultProtocol_HasTheReferenceTheFiveStaticViewsAndTheDrivenClips()
    {
        var options = new EvaluationProtocolOptions();
        var reference = CameraSpec.FromHeadPose("ignored", headYawDegrees: 12, headPitchDegrees: -4, 256);
        var views = EvaluationProtocol.Build(options, reference);

        Assert.Equal("reference", views[0].Name);
        Assert.Equal(ViewKind.Reference, views[0].Kind);
        Assert.Equal(-12, views[0].Camera.YawDegrees);   // head turned to the image right = camera moved to the subject's right
        Assert.Equal(4, views[0].Camera.PitchDegrees);
        Assert.Equal(512, views[0].Camera.ImageSize);

        var statics = views.Where(v => v.Kind == ViewKind.Static).ToDictionary(v => v.Name, v => v.Camera.YawDegrees);
        Assert.Equal(new Dictionary<string, double> { ["left-frontal"] = 30, ["left"] = 60, ["right-frontal"] = -30, ["right"] = -60, ["frontal"] = 0 }, statics);

        var anim = views.Where(v => v.Kind == ViewKind.Animation).ToList();
        Assert.Equal(2 * 3 * options.FramesPerClip, anim.Count);
        Assert.Equal(1 + 5 + anim.Count, views.Count);
        Assert.Equal(views.Count, views.Select(v => v.Name).Distinct().Count());
        Assert.Contains(anim, v => v.Name == "anim:jaw-open:left-frontal:003" && v.Camera.YawDegrees == 30 && v.Frame == 3);
    }

    [Fact]
    public void BuiltInClips_OpenTheJawAndSweepTheExpressionComponents()
    {
        var options = new EvaluationProtocolOptions { FramesPerClip = 8, SweepComponents = 4, ExpressionAmplitude = 2, MaxJawOpenRadians = 0.35 };
        var clips = EvaluationProtocol.DefaultClips(options);
        var jaw = clips.Single(c => c.Name == "jaw-open").Frames;
        Assert.Equal(0f, jaw[0].JawPose[0], 6);
        Assert.Equal(0f, jaw[7].JawPose[0], 6);
        Assert.True(jaw.Max(f => f.JawPose[0]) > 0.33f);
        var sweep = clips.Single(c => c.Name == "expression-sweep").Frames;
        Assert.All(sweep, f => Assert.Equal(100, f.Expression.Length));
        // frame f visits component f/2 with sign + for even f, − for odd f
        for (int f = 0; f < 8; f++)
        {
            Assert.Equal(f % 2 == 0 ? 2f : -2f, sweep[f].Expression[f / 2]);
            Assert.Equal(1, sweep[f].Expression.Count(v => v != 0));
        }
    }

    [Fact]
    public void CustomClips_AndUnknownAnimationViews()
    {
        var options = new EvaluationProtocolOptions { AnimationViews = ["frontal"] };
        var clip = new AnimationClip("tracked", [FlameExpression.Neutral, new FlameExpression("smile", [1f, 0.5f], [0.1f, 0, 0])]);
        var views = EvaluationProtocol.Build(options, new CameraSpec("r", 0, 0, 512), [clip]);
        Assert.Equal(["anim:tracked:frontal:000", "anim:tracked:frontal:001"], views.Where(v => v.Kind == ViewKind.Animation).Select(v => v.Name));
        Assert.Equal("smile", views[^1].Camera.Expression!.Name);

        options.AnimationViews = ["top"];
        Assert.Throws<ArgumentException>(() => EvaluationProtocol.Build(options, new CameraSpec("r", 0, 0, 512), [clip]));
    }
}
