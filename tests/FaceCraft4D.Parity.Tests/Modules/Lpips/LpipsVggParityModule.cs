using FaceCraft4D.Weights;
using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Vision.Perceptual;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.Lpips;

/// <summary>
/// <c>lpips.vgg</c>: <c>model = lpips.LPIPS(**config)</c>, <c>val, res = model(in0, in1, retPerLayer=True,
/// normalize=False)</c> → <c>out.distance</c> = val, <c>out.layer{k}</c> = res[k]. The trunk tensors named in
/// <c>formula_tensors</c> are generated (<see cref="FormulaWeights"/>) and added to the weights file, which then
/// loads through production's <see cref="LpipsWeights.Load"/> (strict).
/// </summary>
public sealed class LpipsVggParityModule : IParityModule
{
    public string Module => "lpips.vgg";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = LpipsCaseConfig.Parse(parityCase.Config);
        var weights = await InMemorySafeTensors.ReadAsync(parityCase.WeightsPath, cancellationToken);
        AddFormulaTensors(parityCase, config, weights);
        bool normalize = parityCase.Root.TryGetProperty("call", out var call) && call.TryGetProperty("normalize", out var n) && n.GetBoolean();

        using var network = LpipsWeights.Load(weights, config);
        using var _ = torch.no_grad();
        using var result = network.Compare(parityCase.Input("in0"), parityCase.Input("in1"), normalize);
        var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["out.distance"] = result.Distance.clone() };
        for (int k = 0; k < result.Layers.Count; k++) outputs[$"out.layer{k}"] = result.Layers[k].clone();
        return outputs;
    }

    /// <summary>Each <c>formula_tensors</c> key, generated in the shape the network's state dict has for it.</summary>
    private static void AddFormulaTensors(ParityCase parityCase, LpipsConfig config, InMemorySafeTensors weights)
    {
        if (!parityCase.Root.TryGetProperty("formula_tensors", out var names)) return;
        using var shapes = new LpipsNetwork(config);
        var state = shapes.state_dict();
        foreach (var element in names.EnumerateArray())
        {
            var name = element.GetString()!;
            if (!state.TryGetValue(name, out var target))
                throw new InvalidDataException($"{parityCase.Id}: formula tensor '{name}' is not in the port's state dict.");
            using var generated = FormulaWeights.Generate(parityCase.Root, name, target.shape);
            weights.Add(name, generated);
        }
    }
}
