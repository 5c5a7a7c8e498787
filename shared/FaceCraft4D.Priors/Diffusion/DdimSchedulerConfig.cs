using System.Text.Json;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Noise schedule of a diffusers <c>DDIMScheduler</c> (read from <c>scheduler/scheduler_config.json</c>; DDIM and PNDM
/// configs share these keys, keys of other schedulers are ignored as <c>from_config</c> does). The record defaults are
/// SD 1.x (scaled_linear 0.00085..0.012, epsilon, steps_offset 1, leading spacing, no clipping); keys missing from a
/// parsed config take the defaults of <c>DDIMScheduler.__init__</c> instead.
/// </summary>
public sealed record DdimSchedulerConfig
{
    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.00085;
    public double BetaEnd { get; init; } = 0.012;
    /// <summary>"scaled_linear" (SD), "linear" or "squaredcos_cap_v2".</summary>
    public string BetaSchedule { get; init; } = "scaled_linear";
    /// <summary>Explicit betas (overrides <see cref="BetaSchedule"/>), or null.</summary>
    public double[]? TrainedBetas { get; init; }
    /// <summary>"epsilon", "v_prediction" or "sample".</summary>
    public string PredictionType { get; init; } = "epsilon";
    public bool SetAlphaToOne { get; init; }
    public int StepsOffset { get; init; } = 1;
    /// <summary>"leading", "trailing" or "linspace".</summary>
    public string TimestepSpacing { get; init; } = "leading";
    public bool ClipSample { get; init; }
    public double ClipSampleRange { get; init; } = 1.0;
    /// <summary>Dynamic thresholding of x̂₀ (Imagen); takes precedence over <see cref="ClipSample"/>.</summary>
    public bool Thresholding { get; init; }
    public double DynamicThresholdingRatio { get; init; } = 0.995;
    public double SampleMaxValue { get; init; } = 1.0;
    /// <summary>Rescale the betas to zero terminal SNR (arXiv 2305.08891, Algorithm 1).</summary>
    public bool RescaleBetasZeroSnr { get; init; }

    public static DdimSchedulerConfig StableDiffusion() => new();

    public static async Task<DdimSchedulerConfig> LoadAsync(string path, CancellationToken cancellationToken = default)
        => FromJson(await DiffusersJson.LoadAsync(path, cancellationToken).ConfigureAwait(false));

    public static DdimSchedulerConfig Parse(string json, string source = "scheduler_config.json") => FromJson(DiffusersJson.Parse(json, source));

    private static DdimSchedulerConfig FromJson(DiffusersJson j)
    {
        j.Require("beta_schedule", v => v.GetString() is "scaled_linear" or "linear" or "squaredcos_cap_v2", "scaled_linear, linear or squaredcos_cap_v2 betas");
        j.Require("prediction_type", v => v.GetString() is "epsilon" or "v_prediction" or "sample", "epsilon, v_prediction or sample");
        j.Require("timestep_spacing", v => v.GetString() is "leading" or "trailing" or "linspace", "leading, trailing or linspace spacing");
        return new DdimSchedulerConfig
        {
            NumTrainTimesteps = j.Int("num_train_timesteps", 1000),
            BetaStart = j.Double("beta_start", 0.0001),
            BetaEnd = j.Double("beta_end", 0.02),
            BetaSchedule = j.String("beta_schedule", "linear")!,
            TrainedBetas = j.Has("trained_betas") ? j.Doubles("trained_betas") : null,
            PredictionType = j.String("prediction_type", "epsilon")!,
            SetAlphaToOne = j.Bool("set_alpha_to_one", true),
            StepsOffset = j.Int("steps_offset", 0),
            TimestepSpacing = j.String("timestep_spacing", "leading")!,
            ClipSample = j.Bool("clip_sample", true),
            ClipSampleRange = j.Double("clip_sample_range", 1.0),
            Thresholding = j.Bool("thresholding", false),
            DynamicThresholdingRatio = j.Double("dynamic_thresholding_ratio", 0.995),
            SampleMaxValue = j.Double("sample_max_value", 1.0),
            RescaleBetasZeroSnr = j.Bool("rescale_betas_zero_snr", false),
        };
    }
}
