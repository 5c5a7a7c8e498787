namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Noise schedule of a diffusers <c>scheduler/scheduler_config.json</c> (DDIM or PNDM configs share these keys;
/// SD 1.x: scaled_linear 0.00085..0.012, epsilon, steps_offset 1, leading spacing; SD 2.1-768: v_prediction).
/// </summary>
public sealed record DdimSchedulerConfig
{
    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.00085;
    public double BetaEnd { get; init; } = 0.012;
    /// <summary>"scaled_linear" (SD) or "linear".</summary>
    public string BetaSchedule { get; init; } = "scaled_linear";
    /// <summary>"epsilon" or "v_prediction".</summary>
    public string PredictionType { get; init; } = "epsilon";
    public bool SetAlphaToOne { get; init; }
    public int StepsOffset { get; init; } = 1;
    /// <summary>"leading", "trailing" or "linspace".</summary>
    public string TimestepSpacing { get; init; } = "leading";
    public bool ClipSample { get; init; }
    public double ClipSampleRange { get; init; } = 1.0;

    public static DdimSchedulerConfig StableDiffusion() => new();

    public static async Task<DdimSchedulerConfig> LoadAsync(string path, CancellationToken cancellationToken = default)
        => FromJson(await DiffusersJson.LoadAsync(path, cancellationToken).ConfigureAwait(false));

    public static DdimSchedulerConfig Parse(string json, string source = "scheduler_config.json") => FromJson(DiffusersJson.Parse(json, source));

    private static DdimSchedulerConfig FromJson(DiffusersJson j)
    {
        j.Require("beta_schedule", v => v.GetString() is "scaled_linear" or "linear", "scaled_linear or linear betas");
        j.Require("prediction_type", v => v.GetString() is "epsilon" or "v_prediction", "epsilon or v_prediction");
        j.Require("timestep_spacing", v => v.GetString() is "leading" or "trailing" or "linspace", "leading, trailing or linspace spacing");
        j.Require("trained_betas", _ => false, "explicit trained betas");
        j.Require("rescale_betas_zero_snr", v => v.ValueKind == System.Text.Json.JsonValueKind.False, "no zero-SNR rescale");
        j.Require("thresholding", v => v.ValueKind == System.Text.Json.JsonValueKind.False, "no dynamic thresholding");
        return new DdimSchedulerConfig
        {
            NumTrainTimesteps = j.Int("num_train_timesteps", 1000),
            BetaStart = j.Double("beta_start", 0.00085),
            BetaEnd = j.Double("beta_end", 0.012),
            BetaSchedule = j.String("beta_schedule", "scaled_linear")!,
            PredictionType = j.String("prediction_type", "epsilon")!,
            SetAlphaToOne = j.Bool("set_alpha_to_one", false),
            StepsOffset = j.Int("steps_offset", 1),
            TimestepSpacing = j.String("timestep_spacing", "leading")!,
            ClipSample = j.Bool("clip_sample", false),
            ClipSampleRange = j.Double("clip_sample_range", 1.0),
        };
    }
}
