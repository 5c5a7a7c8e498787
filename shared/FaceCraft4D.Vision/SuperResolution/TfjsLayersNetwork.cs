using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Vision.SuperResolution;

/// <summary>
/// A TorchSharp port of a TFJS layers model built from the layer kinds ESRGAN's RDN models use (UpscalerJS
/// <c>esrgan-slim</c>/<c>esrgan-medium</c>): <c>Conv2D</c> (stride 1, 'same' or 'valid' padding, linear or ReLU activation,
/// optional bias), <c>Activation</c> (linear, relu), <c>Add</c>, <c>Concatenate</c> (channel axis) and nearest
/// <c>UpSampling2D</c>. The graph is evaluated in the file's layer order; convolutions are child modules named after
/// their Keras layer, and weights bind by name (<c>{layer}/kernel</c> [k, k, in, out] → [out, in, k, k],
/// <c>{layer}/bias</c>) with <see cref="TfjsWeightBinder"/>: strict, every weight used once. NCHW inside.
/// </summary>
public sealed class TfjsLayersNetwork : nn.Module<Tensor, Tensor>
{
    private readonly IReadOnlyList<TfjsLayerSpec> layers;
    private readonly Dictionary<string, Conv2d> convs = new(StringComparer.Ordinal);
    private readonly string input, output;

    /// <summary>Builds the network for <paramref name="model"/> and binds its weights.</summary>
    public TfjsLayersNetwork(TfjsLayersModel model) : base(model.Name)
    {
        ArgumentNullException.ThrowIfNull(model);
        layers = model.Layers;
        output = model.Output;
        var inputs = layers.Where(l => l.ClassName == "InputLayer").ToList();
        if (inputs.Count != 1) throw new InvalidDataException($"{model.Name}: {inputs.Count} input layers; one is supported.");
        input = inputs[0].Name;

        // Channel counts follow the graph from the 3-channel input.
        var channels = new Dictionary<string, int>(StringComparer.Ordinal) { [input] = 3 };
        var bindings = new List<TfjsParameterBinding>();
        foreach (var l in layers.Where(l => l.ClassName != "InputLayer"))
        {
            int In(int i) => channels.TryGetValue(l.Inputs[i], out var c) ? c
                : throw new InvalidDataException($"{model.Name}: layer '{l.Name}' reads '{l.Inputs[i]}', which comes later or not at all.");
            if (l.Inputs.Count == 0) throw new InvalidDataException($"{model.Name}: layer '{l.Name}' has no inputs.");
            switch (l.ClassName)
            {
                case "Conv2D":
                    if (l.Stride != 1) throw new InvalidDataException($"{model.Name}: layer '{l.Name}' has stride {l.Stride}; only 1 is supported.");
                    if (l.KernelSize % 2 == 0 && l.Padding == "same") throw new InvalidDataException($"{model.Name}: layer '{l.Name}': even 'same' kernels are not supported.");
                    CheckActivation(model.Name, l);
                    var conv = nn.Conv2d(In(0), l.Filters, l.KernelSize, padding: l.Padding == "same" ? l.KernelSize / 2 : 0, bias: l.UseBias);
                    register_module(l.Name, conv);
                    convs[l.Name] = conv;
                    bindings.Add(new($"{l.Name}/kernel", TfjsLayout.ConvFilter, conv.weight!));
                    if (l.UseBias) bindings.Add(new($"{l.Name}/bias", TfjsLayout.Identity, conv.bias!));
                    channels[l.Name] = l.Filters;
                    break;
                case "Activation":
                    CheckActivation(model.Name, l);
                    channels[l.Name] = In(0);
                    break;
                case "Add":
                    if (Enumerable.Range(0, l.Inputs.Count).Select(In).Distinct().Count() != 1)
                        throw new InvalidDataException($"{model.Name}: layer '{l.Name}' adds tensors of different widths.");
                    channels[l.Name] = In(0);
                    break;
                case "Concatenate":
                    if (l.Axis is not (-1 or 3)) throw new InvalidDataException($"{model.Name}: layer '{l.Name}' concatenates on axis {l.Axis}; only channels are supported.");
                    channels[l.Name] = Enumerable.Range(0, l.Inputs.Count).Sum(In);
                    break;
                case "UpSampling2D":
                    if (l.Interpolation != "nearest") throw new InvalidDataException($"{model.Name}: layer '{l.Name}' uses {l.Interpolation} interpolation; only nearest is supported.");
                    channels[l.Name] = In(0);
                    UpscaleFactor *= l.UpSampling;
                    break;
                default:
                    throw new InvalidDataException($"{model.Name}: layer class {l.ClassName} is not supported.");
            }
        }
        if (!channels.TryGetValue(output, out var outChannels) || outChannels != 3)
            throw new InvalidDataException($"{model.Name}: the output '{output}' does not have 3 channels.");
        TfjsWeightBinder.Bind(model.Weights, bindings, model.Name);
        eval();
        foreach (var p in parameters()) p.requires_grad_(false);
    }

    /// <summary>The product of the nearest up-sampling factors (the model's scale).</summary>
    public int UpscaleFactor { get; } = 1;

    /// <summary>x [N, 3, H, W] (the model's value range) → [N, 3, s·H, s·W].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [input] = x };
        foreach (var l in layers)
        {
            if (l.ClassName == "InputLayer") continue;
            var a = values[l.Inputs[0]];
            values[l.Name] = l.ClassName switch
            {
                "Conv2D" => Activate(ChannelAlignedConvolution.Forward(convs[l.Name], a), l.Activation),
                "Activation" => Activate(a, l.Activation),
                "Add" => l.Inputs.Skip(1).Aggregate(a, (sum, n) => sum.Plus(values[n])),
                "Concatenate" => torch.cat(l.Inputs.Select(n => values[n]).ToArray(), 1),
                "UpSampling2D" => a.repeat_interleave(l.UpSampling, 2).repeat_interleave(l.UpSampling, 3),
                _ => throw new InvalidOperationException(l.ClassName),
            };
        }
        return values[output].MoveToOuterDisposeScope();
    }

    private static Tensor Activate(Tensor x, string activation) => activation switch
    {
        "relu" => nn.functional.relu(x),
        _ => x,
    };

    private static void CheckActivation(string model, TfjsLayerSpec l)
    {
        if (l.Activation is not ("linear" or "relu"))
            throw new InvalidDataException($"{model}: layer '{l.Name}' uses the {l.Activation} activation; linear and relu are supported.");
    }
}
