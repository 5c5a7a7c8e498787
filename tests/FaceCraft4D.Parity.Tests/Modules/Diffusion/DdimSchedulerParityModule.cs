using System.Text.Json;
using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.Diffusion;

/// <summary>
/// diffusers <c>s = DDIMScheduler(**config); s.set_timesteps(n); s.step(model_output, t, sample, eta)</c>, per the
/// case's <c>call</c> (<c>set_timesteps</c>, <c>timestep</c> or <c>timestep_index</c>, <c>eta</c>, optional
/// <c>use_clipped_model_output</c>; <c>in.variance_noise</c> when η &gt; 0). Outputs the timesteps, ᾱ, x_prev and x̂₀.
/// </summary>
public sealed class DdimSchedulerParityModule : IParityModule
{
    public string Module => "diffusers.ddim_scheduler";

    public Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = DdimSchedulerConfig.Parse(parityCase.Config.GetRawText(), $"{parityCase.Id} config");
        var scheduler = new DdimScheduler(config);
        var call = parityCase.Root.GetProperty("call");
        int steps = call.GetProperty("set_timesteps").GetInt32();
        var timesteps = scheduler.Timesteps(steps);
        int timestep = call.TryGetProperty("timestep", out var t)
            ? t.GetInt32()
            : timesteps[call.GetProperty("timestep_index").GetInt32()];
        double eta = call.TryGetProperty("eta", out var e) ? e.GetDouble() : 0.0;
        bool clipped = call.TryGetProperty("use_clipped_model_output", out var c) && c.ValueKind == JsonValueKind.True;
        var noise = parityCase.HasInput("variance_noise") ? parityCase.Input("variance_noise") : null;

        using var noGrad = torch.no_grad();
        var result = scheduler.Step(parityCase.Input("model_output"), timestep, parityCase.Input("sample"), steps, eta, noise, clipped);
        IReadOnlyDictionary<string, Tensor> outputs = new Dictionary<string, Tensor>
        {
            ["out.timesteps"] = torch.tensor(timesteps.Select(v => (float)v).ToArray(), ScalarType.Float32),
            ["out.alphas_cumprod"] = scheduler.AlphasCumprodTensor(),
            ["out.prev_sample"] = result.PrevSample,
            ["out.pred_original_sample"] = result.PredOriginalSample,
        };
        return Task.FromResult(outputs);
    }
}
