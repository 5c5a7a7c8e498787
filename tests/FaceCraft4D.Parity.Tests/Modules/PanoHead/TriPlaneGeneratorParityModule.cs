using System.Text.Json;
using FaceCraft4D.Weights;
using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.PanoHead;

/// <summary>
/// <c>panohead.triplane_generator</c>: <c>G = TriPlaneGenerator(**config)</c>, then <c>G(z, c, truncation_psi,
/// neural_rendering_resolution=R, noise_mode)</c>, built by <see cref="PanoHeadConfig.FromInitKwargs"/> and loaded strictly by
/// <see cref="StateDictLoader.Load(TorchSharp.torch.nn.Module, InMemorySafeTensors, string, WeightLoadOptions?, IReadOnlyList{string}?)"/> (what <c>PanoHeadShapePrior</c> uses), with the renderer's recorded random draws injected.
/// </summary>
public sealed class TriPlaneGeneratorParityModule : IParityModule
{
    private static readonly HashSet<string> CallKeys = new(StringComparer.Ordinal)
    {
        "truncation_psi", "truncation_cutoff", "neural_rendering_resolution", "noise_mode",
    };

    public string Module => "panohead.triplane_generator";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = PanoHeadConfig.FromInitKwargs(parityCase.Config);
        var call = parityCase.Root.GetProperty("call");
        var unknown = call.EnumerateObject().Select(p => p.Name).Where(n => !CallKeys.Contains(n)).ToList();
        if (unknown.Count > 0) throw new NotSupportedException($"panohead.triplane_generator: unsupported call argument(s) {string.Join(", ", unknown)}.");
        double psi = call.TryGetProperty("truncation_psi", out var p) ? p.GetDouble() : 1;
        int? cutoff = call.TryGetProperty("truncation_cutoff", out var tc) && tc.ValueKind != JsonValueKind.Null ? tc.GetInt32() : null;
        int? resolution = call.TryGetProperty("neural_rendering_resolution", out var r) && r.ValueKind != JsonValueKind.Null ? r.GetInt32() : null;
        var noise = (call.TryGetProperty("noise_mode", out var nm) ? nm.GetString() : "random") switch
        {
            "const" => NoiseMode.Const,
            "random" => NoiseMode.Random,
            "none" => NoiseMode.None,
            var other => throw new NotSupportedException($"noise_mode '{other}'."),
        };

        var weights = await InMemorySafeTensors.ReadAsync(parityCase.WeightsPath, cancellationToken);
        using var generator = new TriGridGenerator(config);
        StateDictLoader.Load(generator, weights, "panohead generator");
        generator.eval();

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var random = new RecordedRayRandomSource(parityCase.Input("rand_stratified"), parityCase.Input("rand_importance"));
        var render = generator.Forward(parityCase.Input("z"), parityCase.Input("c"), psi, cutoff, resolution, noise, random);
        return new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["out.image"] = render.Image.MoveToOuterDisposeScope(),
            ["out.image_raw"] = render.ImageRaw.MoveToOuterDisposeScope(),
            ["out.image_depth"] = render.Depth.MoveToOuterDisposeScope(),
            ["out.image_mask"] = render.Mask.MoveToOuterDisposeScope(),
        };
    }
}
