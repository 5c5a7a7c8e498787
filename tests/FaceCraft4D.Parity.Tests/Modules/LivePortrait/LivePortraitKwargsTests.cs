using FaceCraft4D.Parity.Tests.Harness;
using System.Text.Json;
using FaceCraft4D.Priors.LivePortrait;
using Xunit;

namespace FaceCraft4D.Parity.Tests.Modules.LivePortrait;

/// <summary>The kwargs mapping the LivePortrait runners build their ports with: upstream defaults, and no silent ignores.</summary>
public sealed class LivePortraitKwargsTests
{
    private static UpstreamKwargs Kwargs(string json, string owner = "T") => new(JsonDocument.Parse(json).RootElement, owner);

    [Fact]
    public void SpadeDecoder_LeftOutKwargs_TakeTheUpstreamSignatureDefaults_NotModelsYaml()
    {
        var config = LivePortraitKwargs.SpadeDecoder(Kwargs("{}"));
        Assert.Equal(new SpadeGeneratorConfig(Upscale: 1, BlockExpansion: 64, MaxFeatures: 256, NumDownBlocks: 2, OutChannels: 64), config);
    }

    [Fact]
    public void UnknownKwarg_IsRejectedByName()
    {
        var ex = Assert.Throws<NotSupportedException>(() => LivePortraitKwargs.SpadeDecoder(Kwargs("""{"upscale": 2, "norm_G": "spadebatch"}""", "SPADEDecoder")));
        Assert.Contains("'norm_G'", ex.Message);
        Assert.Contains("SPADEDecoder", ex.Message);
        var nested = Assert.Throws<NotSupportedException>(() => LivePortraitKwargs.WarpingNetwork(Kwargs("""
            {"num_kp": 2, "block_expansion": 4, "max_features": 8, "num_down_blocks": 1, "reshape_channel": 4,
             "dense_motion_params": {"block_expansion": 4, "max_features": 8, "num_blocks": 2, "reshape_depth": 2, "compress": 2, "kp_variance": 0.02}}
            """, "WarpingNetwork")));
        Assert.Contains("WarpingNetwork.dense_motion_params", nested.Message);
        Assert.Contains("'kp_variance'", nested.Message);
    }

    [Fact]
    public void WarpingNetwork_OcclusionDefaultsFollowUpstream_AndMissingRequiredKwargIsNamed()
    {
        var config = LivePortraitKwargs.WarpingNetwork(Kwargs("""
            {"num_kp": 2, "block_expansion": 4, "max_features": 8, "num_down_blocks": 1, "reshape_channel": 4, "upscale": 1,
             "dense_motion_params": {"block_expansion": 4, "max_features": 8, "num_blocks": 2, "reshape_depth": 2, "compress": 2}}
            """));
        Assert.False(config.EstimateOcclusionMap); // upstream default False (models.yaml sets True)
        Assert.True(config.UseOcclusionMap);
        Assert.Equal(new DenseMotionConfig(4, 8, 2, 2, 2), config.DenseMotionParams);
        var ex = Assert.Throws<ArgumentException>(() => LivePortraitKwargs.AppearanceFeatureExtractor(Kwargs("""{"image_channel": 3}""")));
        Assert.Contains("'block_expansion'", ex.Message);
    }

    [Fact]
    public void MotionExtractor_TinyBackboneFixesItsStages_CustomTakesThem_AndNumKpDefaultsTo24()
    {
        var tiny = LivePortraitKwargs.MotionExtractor(Kwargs("""{"num_kp": 21}"""));
        Assert.Equal(new[] { 3, 3, 9, 3 }, tiny.StageDepths);
        Assert.Equal(new[] { 96, 192, 384, 768 }, tiny.StageDims);
        var custom = LivePortraitKwargs.MotionExtractor(Kwargs("""{"backbone": "convnextv2_custom", "depths": [1, 1, 1, 1], "dims": [4, 8, 8, 8], "in_chans": 1}"""));
        Assert.Equal(24, custom.NumKp);
        Assert.Equal(66, custom.NumBins);
        Assert.Equal(1, custom.InChans);
        Assert.Throws<ArgumentException>(() => LivePortraitKwargs.MotionExtractor(Kwargs("""{"depths": [1, 1, 1, 1]}""")));
        Assert.Throws<NotSupportedException>(() => LivePortraitKwargs.MotionExtractor(Kwargs("""{"backbone": "resnet50"}""")));
    }
}
