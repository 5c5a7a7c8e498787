using Xunit;
using FaceCraft4D.Stages.ImagePrior;
using FaceCraft4D.Stages.ShapePrior;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace FaceCraft4D.Priors.Tests.Stages;

/// <summary>
/// Stages whose output depends on a worker-side switch report a different implementation version per setting, so a run
/// that flips the switch never reuses checkpoints made with the other setting (the checkpoint key includes the version).
/// </summary>
public sealed class SwitchedStageVersionTests
{
    [Fact]
    public void Shape_prior_version_follows_the_face_skin_switch()
    {
        static int Version(bool faceOnly)
        {
            var options = new ShapePriorStageOptions();
            options.Template.Texture.FaceSkinFromFaceOnly = faceOnly;
            return new ShapePriorStageHandler(null!, MsOptions.Create(options)).ImplementationVersion;
        }
        Assert.Equal(4, Version(false)); // the default: unchanged, earlier checkpoints stay valid
        Assert.Equal(5, Version(true));
    }

    [Fact]
    public void Shape_prior_version_follows_the_temple_narrowing_switch()
    {
        static int Version(bool faceOnly, bool temples)
        {
            var options = new ShapePriorStageOptions();
            options.Template.Texture.FaceSkinFromFaceOnly = faceOnly;
            options.Template.TempleNarrowing.Enabled = temples;
            return new ShapePriorStageHandler(null!, MsOptions.Create(options)).ImplementationVersion;
        }
        Assert.Equal(4, Version(false, false));
        Assert.Equal(6, Version(false, true));
        Assert.Equal(7, Version(true, true));
    }

    [Fact]
    public void Shape_prior_version_follows_the_framed_side_band_switch()
    {
        static int Version(bool faceOnly, bool temples, bool band)
        {
            var options = new ShapePriorStageOptions();
            options.Template.Texture.FaceSkinFromFaceOnly = faceOnly;
            options.Template.TempleNarrowing.Enabled = temples;
            options.Template.Texture.FramedSideBand = band;
            return new ShapePriorStageHandler(null!, MsOptions.Create(options)).ImplementationVersion;
        }
        Assert.Equal(4, Version(false, false, false));
        Assert.Equal(8, Version(false, false, true));
        Assert.Equal(9, Version(true, false, true));
        Assert.Equal(11, Version(true, true, true));
    }

    [Fact]
    public void Shape_prior_version_follows_the_hair_length_switch()
    {
        static int Version(bool band, bool hairLength)
        {
            var options = new ShapePriorStageOptions();
            options.Template.Texture.FramedSideBand = band;
            options.Template.HairLength.Enabled = hairLength;
            return new ShapePriorStageHandler(null!, MsOptions.Create(options)).ImplementationVersion;
        }
        Assert.Equal(4, Version(false, false));
        Assert.Equal(12, Version(false, true));
        Assert.Equal(16, Version(true, true));
    }

    [Fact]
    public void Shape_prior_version_follows_the_neck_from_clothing_switch()
    {
        static int Version(bool hairLength, bool neck)
        {
            var options = new ShapePriorStageOptions();
            options.Template.HairLength.Enabled = hairLength;
            options.Template.Texture.NeckFromClothing = neck;
            return new ShapePriorStageHandler(null!, MsOptions.Create(options)).ImplementationVersion;
        }
        Assert.Equal(4, Version(false, false));
        Assert.Equal(20, Version(false, true));
        Assert.Equal(28, Version(true, true));
    }

    [Fact]
    public void Shape_prior_version_follows_the_hanging_hair_switch()
    {
        static int Version(bool neck, bool hanging)
        {
            var options = new ShapePriorStageOptions();
            options.Template.Texture.NeckFromClothing = neck;
            options.Template.HangingHair.Enabled = hanging;
            return new ShapePriorStageHandler(null!, MsOptions.Create(options)).ImplementationVersion;
        }
        Assert.Equal(4, Version(false, false));
        Assert.Equal(36, Version(false, true));
        Assert.Equal(52, Version(true, true));
    }

    [Fact]
    public void Shape_prior_version_follows_the_clothed_nape_switch()
    {
        static int Version(bool neck, bool nape)
        {
            var options = new ShapePriorStageOptions();
            options.Template.Texture.NeckFromClothing = neck;
            options.Template.Texture.ClothedNape = nape;
            return new ShapePriorStageHandler(null!, MsOptions.Create(options)).ImplementationVersion;
        }
        Assert.Equal(4, Version(false, false));
        Assert.Equal(68, Version(false, true));
        Assert.Equal(84, Version(true, true));
    }

    [Fact]
    public void Shape_prior_version_follows_the_one_coloured_neck_gate_of_either_neck_switch()
    {
        static int Version(bool neck, bool nape, double minUniformity)
        {
            var options = new ShapePriorStageOptions();
            options.Template.Texture.NeckFromClothing = neck;
            options.Template.Texture.ClothedNape = nape;
            options.Template.Texture.NeckClothingMinUniformity = minUniformity;
            return new ShapePriorStageHandler(null!, MsOptions.Create(options)).ImplementationVersion;
        }
        Assert.Equal(4, Version(false, false, 0.5)); // the gate alone changes nothing
        Assert.Equal(68, Version(false, true, 0));
        Assert.Equal(196, Version(false, true, 0.5));
        Assert.Equal(148, Version(true, false, 0.5));
        Assert.Equal(212, Version(true, true, 0.5));
    }

    [Fact]
    public void Enhance_stage_versions_follow_the_warp_facing_gate()
    {
        static (int View, int Back) Versions(double anchorFacingMin, bool mirrored = false)
        {
            var options = new ImagePriorStageOptions();
            options.Warp.AnchorFacingMin = anchorFacingMin;
            options.Warp.MirroredReference = mirrored;
            var stage = new ViewEnhancementStage(new ViewEnhancers([]), MsOptions.Create(options));
            var diffusion = MsOptions.Create(new FaceCraft4D.Stages.ImagePrior.DiffusionViewEnhancerOptions());
            return (new EnhanceViewStageHandler(stage, new ViewEnhancers([]), diffusion).ImplementationVersion,
                new EnhanceBackViewStageHandler(stage, new ViewEnhancers([]), diffusion).ImplementationVersion);
        }
        Assert.Equal((2, 2), Versions(-1)); // off, the default
        Assert.Equal((3, 3), Versions(0.6));
        Assert.Equal((4, 4), Versions(-1, mirrored: true)); // s25's mirrored reference anchor
        Assert.Equal((5, 5), Versions(0.6, mirrored: true));
    }

    [Fact]
    public void Enhance_stage_versions_follow_the_uncovered_strip_shading()
    {
        static (int View, int Back) Versions(bool shade, double anchorFacingMin = -1, bool mirrored = false)
        {
            var options = new ImagePriorStageOptions();
            options.Warp.AnchorFacingMin = anchorFacingMin;
            options.Warp.MirroredReference = mirrored;
            options.Blend.ShadeUncovered = shade;
            var stage = new ViewEnhancementStage(new ViewEnhancers([]), MsOptions.Create(options));
            var diffusion = MsOptions.Create(new FaceCraft4D.Stages.ImagePrior.DiffusionViewEnhancerOptions());
            return (new EnhanceViewStageHandler(stage, new ViewEnhancers([]), diffusion).ImplementationVersion,
                new EnhanceBackViewStageHandler(stage, new ViewEnhancers([]), diffusion).ImplementationVersion);
        }
        Assert.Equal((2, 2), Versions(false)); // off, the default: earlier checkpoints stay valid
        Assert.Equal((6, 6), Versions(true)); // s28's shaded uncovered strip
        Assert.Equal((9, 9), Versions(true, 0.6, mirrored: true)); // no collision with the other switches (2..5)
    }
}
