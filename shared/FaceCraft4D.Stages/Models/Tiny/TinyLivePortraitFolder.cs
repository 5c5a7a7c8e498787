using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Weights;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Models.Tiny;

/// <summary>
/// A tiny LivePortrait folder in the layout the <c>liveportrait</c> video prior loads (shared/FaceCraft4D.Priors/README.md):
/// the five safetensors under the official state-dict names (BatchNorm statistics and spectral-norm vectors included)
/// and a <c>models.yaml</c> in the official structure with tiny values (5 keypoints, 8-32 channels). The motion
/// extractor's ConvNeXtV2 is shrunk too, which the official file cannot say: its size is written as the extension keys
/// <c>depths</c> / <c>dims</c> of <c>motion_extractor_params</c> (read by <see cref="Animation.LivePortraitModelConfig"/>).
/// Networks at any input side that is a multiple of 16; the output is twice the input.
/// </summary>
public static class TinyLivePortraitFolder
{
    /// <summary>The <c>models.yaml</c> written (official keys plus <c>depths</c>/<c>dims</c>).</summary>
    public const string ModelsYaml = """
        # Tiny random LivePortrait (FaceCraft4D tests and smoke runs): the official models.yaml structure with small values.
        # depths/dims under motion_extractor_params are a FaceCraft4D extension (the official file implies convnextv2_tiny).
        model_params:
          appearance_feature_extractor_params:
            image_channel: 3
            block_expansion: 8
            num_down_blocks: 2
            max_features: 32
            reshape_channel: 4
            reshape_depth: 8
            num_resblocks: 2
          motion_extractor_params:
            num_kp: 5
            num_bins: 66
            depths: [1, 1, 2, 1]
            dims: [8, 16, 16, 24]
          warping_module_params:
            num_kp: 5
            block_expansion: 8
            max_features: 32
            num_down_blocks: 2
            reshape_channel: 4
            estimate_occlusion_map: True
            dense_motion_params:
              block_expansion: 4
              max_features: 16
              num_blocks: 2
              reshape_depth: 8
              compress: 2
          spade_generator_params:
            upscale: 2
            block_expansion: 8
            max_features: 32
            num_down_blocks: 2
          stitching_retargeting_module_params:
            stitching:
              input_size: 30
              hidden_sizes: [16, 8]
              output_size: 17
            lip:
              input_size: 17
              hidden_sizes: [16]
              output_size: 15
            eye:
              input_size: 18
              hidden_sizes: [16, 8]
              output_size: 15
        """;

    /// <summary>Writes the folder (created if needed; files overwritten).</summary>
    public static async Task WriteAsync(string folder, long seed, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var config = Animation.LivePortraitModelConfig.Parse(ModelsYaml);
        using var networks = LivePortraitNetworks.CreateRandom(config, CPU, seed);
        async Task Write(string file, TorchSharp.torch.nn.Module module) =>
            await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(folder, file), module, cancellationToken: cancellationToken).ConfigureAwait(false);
        await Write(LivePortraitModelFolder.AppearanceFeatureExtractor, networks.AppearanceFeatureExtractor).ConfigureAwait(false);
        await Write(LivePortraitModelFolder.MotionExtractor, networks.MotionExtractor).ConfigureAwait(false);
        await Write(LivePortraitModelFolder.WarpingModule, networks.WarpingModule).ConfigureAwait(false);
        await Write(LivePortraitModelFolder.SpadeGenerator, networks.SpadeGenerator).ConfigureAwait(false);
        await Write(LivePortraitModelFolder.StitchingRetargetingModule, networks.StitchingRetargeting!).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, LivePortraitModelFolder.ModelsYaml), ModelsYaml, cancellationToken).ConfigureAwait(false);
    }
}
