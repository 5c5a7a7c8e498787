using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.Diffusion;

/// <summary>
/// diffusers <c>UNet2DConditionModel(**config)(sample, timestep.long(), encoder_hidden_states=ehs).sample</c>: the
/// config goes through the production config.json parser, the weights through the production UNet loader.
/// Optional inputs <c>timestep_cond</c> and SDXL <c>text_embeds</c>/<c>time_ids</c> are passed when a case has them.
/// </summary>
public sealed class UNet2DConditionParityModule : IParityModule
{
    public string Module => "diffusers.unet2d_condition";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = UNet2DConditionConfig.Parse(parityCase.Config.GetRawText(), $"{parityCase.Id} config");
        using var unet = await LatentDiffusionModelLoader.LoadUNetAsync(config, parityCase.WeightsPath, CPU, cancellationToken);
        using var noGrad = torch.no_grad();
        // in.timestep holds integers stored as float32; upstream casts to int64 before the call.
        using var timestep = parityCase.Input("timestep").to(ScalarType.Int64);
        var added = parityCase.HasInput("text_embeds") && parityCase.HasInput("time_ids")
            ? new SdxlAddedConditions(parityCase.Input("text_embeds"), parityCase.Input("time_ids"))
            : null;
        var timestepCondition = parityCase.HasInput("timestep_cond") ? parityCase.Input("timestep_cond") : null;
        var sample = unet.Forward(parityCase.Input("sample"), timestep, parityCase.Input("encoder_hidden_states"), added, timestepCondition);
        return new Dictionary<string, Tensor> { ["out.sample"] = sample };
    }
}
