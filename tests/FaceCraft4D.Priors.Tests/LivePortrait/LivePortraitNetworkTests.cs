using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Priors.Tests.Diffusion;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.LivePortrait;

public class LivePortraitNetworkTests
{
    private static readonly Device Meta = new(DeviceType.META);

    [Fact]
    public void OfficialConfig_ModelsYaml_ParsesToTheOfficialDefaults()
    {
        var parsed = LivePortraitConfig.ParseYaml(File.ReadAllText(KeyFixture.PathOf("models.yaml")));
        var official = LivePortraitConfig.Official();
        Assert.Equal(official.AppearanceFeatureExtractor, parsed.AppearanceFeatureExtractor);
        Assert.Equal(official.WarpingModule.DenseMotionParams, parsed.WarpingModule.DenseMotionParams);
        Assert.Equal(official.SpadeGenerator, parsed.SpadeGenerator);
        Assert.Equal(official.Eye.HiddenSizes, parsed.Eye.HiddenSizes);
        Assert.Equal(126, parsed.Stitching.InputSize);
    }

    [Theory]
    [InlineData("appearance_feature_extractor")]
    [InlineData("motion_extractor")]
    [InlineData("warping_module")]
    [InlineData("spade_generator")]
    [InlineData("stitching_retargeting_module")]
    public void FullSizeNetworks_HaveTheOfficialCheckpointKeys(string section)
    {
        var config = LivePortraitConfig.Official();
        using nn.Module module = section switch
        {
            "appearance_feature_extractor" => new AppearanceFeatureExtractor(config.AppearanceFeatureExtractor, Meta),
            "motion_extractor" => new MotionExtractor(config.MotionExtractor, Meta),
            "warping_module" => new WarpingNetwork(config.WarpingModule, Meta),
            "spade_generator" => new SpadeGenerator(config.SpadeGenerator, Meta),
            _ => new StitchingRetargetingModule(config, Meta),
        };
        OfficialKeyNameTests.AssertMatches(module, KeyFixture.LoadSections("liveportrait_keys.txt")[section]);
    }

    [Fact]
    public void TinyNetworks_ForwardWithExpectedShapes_AndSameSeedIsIdentical()
    {
        var config = TinyModels.LivePortrait();
        using var a = LivePortraitNetworks.CreateRandom(config, CPU, 3);
        using var b = LivePortraitNetworks.CreateRandom(config, CPU, 3);
        using var g = new Generator(2, CPU);
        using var image = torch.rand([2, 3, 64, 64], generator: g);
        using var _ = torch.inference_mode();

        using var fa = a.AppearanceFeatureExtractor.forward(image);
        TensorAssert.Shape(fa, 2, 4, 8, 16, 16);
        TensorAssert.Identical(fa, b.AppearanceFeatureExtractor.forward(image));

        using var ma = a.MotionExtractor.forward(image);
        TensorAssert.Shape(ma.Keypoints, 2, 15);
        TensorAssert.Shape(ma.Pitch, 2, 66);
        TensorAssert.Shape(ma.Translation, 2, 3);
        TensorAssert.Shape(ma.Scale, 2, 1);
        using var mb = b.MotionExtractor.forward(image);
        TensorAssert.Identical(ma.Expression, mb.Expression);

        using var kpS = torch.rand([2, 5, 3], generator: g).Times(2).Minus(1);
        using var kpD = kpS.Plus(torch.randn([2, 5, 3], generator: g).Times(0.05));
        using var wa = a.WarpingModule.Forward(fa, kpD, kpS);
        TensorAssert.Shape(wa, 2, 32, 16, 16);
        TensorAssert.Identical(wa, b.WarpingModule.Forward(fa, kpD, kpS));

        using var ga = a.SpadeGenerator.forward(wa);
        TensorAssert.Shape(ga, 2, 3, 128, 128);
        Assert.InRange(ga.min().item<float>(), 0f, 1f);
        Assert.InRange(ga.max().item<float>(), 0f, 1f);
        TensorAssert.Identical(ga, b.SpadeGenerator.forward(wa));

        using var stitched = a.StitchingRetargeting!.Stitch(kpS, kpD);
        TensorAssert.Shape(stitched, 2, 5, 3);
    }

    [Fact]
    public void SpectralNormConv_DividesByUTransposeWv_AndHasUnitSpectralNormWithTrueSingularVectors()
    {
        using var conv = new SpectralNormConv2d(3, 4, 3, 1);
        ModuleRandomizer.Randomize(conv, 5);
        var sd = conv.state_dict();
        using var _ = torch.no_grad();
        var w = sd["weight_orig"];
        var matrix = w.reshape(4, -1);
        using var normalized = conv.NormalizedWeight();
        var sigma = torch.dot(sd["weight_u"], torch.mv(matrix, sd["weight_v"])).item<float>();
        TensorAssert.Close(w.DividedBy(sigma), normalized, 1e-6);

        // With u, v set to the top singular pair, the normalised kernel has spectral norm 1 (what training converges to).
        var (u, s, vh) = torch.linalg.svd(matrix, fullMatrices: false);
        sd["weight_u"].copy_(u[.., 0]);
        sd["weight_v"].copy_(vh[0]);
        using var unit = conv.NormalizedWeight();
        var top = torch.linalg.svdvals(unit.reshape(4, -1))[0].item<float>();
        Assert.Equal(1.0, top, 4);

        using var x = torch.randn([1, 3, 6, 6]);
        using var y = conv.forward(x);
        using var reference = nn.functional.conv2d(x, unit, sd["bias"], padding: [1, 1]);
        TensorAssert.Close(reference, y, 1e-5);
    }

    [Fact]
    public void HeadPose_BinsAndRotation_FollowTheOfficialConventions()
    {
        // A peaked distribution at bin 35 → 35·3 − 97.5 = 7.5 degrees.
        using var logits = HeldScalarOps.Hold((-1e4f).ToScalar(), held => torch.full([1, 66], held));
        logits[0, 35] = torch.tensor(0f);
        using var degrees = HeadPose.BinsToDegrees(logits);
        Assert.Equal(7.5, degrees.item<float>(), 3);
        using var uniform = HeadPose.BinsToDegrees(torch.zeros([1, 66]));
        Assert.Equal(0.0, uniform.item<float>(), 3); // mean bin 32.5 → 0°

        using var zero = torch.zeros(1);
        using var ninety = HeldScalarOps.Hold(90f.ToScalar(), held => torch.full(1, held));
        using var yaw = HeadPose.RotationMatrix(zero, ninety, zero);
        // Row vector x·R: yaw of +90° maps the x axis to −z (R = Ryᵀ).
        using var ex = torch.tensor(new float[] { 1, 0, 0 }).reshape(1, 1, 3);
        TensorAssert.Close(torch.tensor(new float[] { 0, 0, 1 }).reshape(1, 1, 3).Times(-1), ex.matmul(yaw), 1e-6);
        using var r = HeadPose.RotationMatrix(torch.tensor(new float[] { 10 }), torch.tensor(new float[] { -20 }), torch.tensor(new float[] { 30 }));
        TensorAssert.Close(torch.eye(3).unsqueeze(0), r.matmul(r.transpose(1, 2)), 1e-6);
        Assert.Equal(1.0, torch.linalg.det(r).item<float>(), 5);
    }

    [Fact]
    public void KeypointTransform_IsScaleTimesRotatedCanonicalPlusExpression_PlusXyTranslation()
    {
        using var kc = torch.tensor(new float[] { 1, 0, 0, 0, 1, 0 }).reshape(1, 2, 3);
        using var exp = torch.tensor(new float[] { 0.1f, 0, 0, 0, 0, 0.2f }).reshape(1, 2, 3);
        using var rot = torch.eye(3).unsqueeze(0);
        using var scale = HeldScalarOps.Hold(2f.ToScalar(), held => torch.full([1, 1], held));
        using var t = torch.tensor(new float[] { 0.5f, -0.5f, 9f }).reshape(1, 3);
        using var x = KeypointTransform.Apply(kc, rot, exp, scale, t);
        TensorAssert.Close(torch.tensor(new float[] { 2.7f, -0.5f, 0, 0.5f, 1.5f, 0.4f }).reshape(1, 2, 3), x, 1e-6);
    }
}
