using FaceCraft4D.Weights.Scalars;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>get_activation</c>: the activations a config's <c>act_fn</c> (and <c>time_embedding_act_fn</c>,
/// <c>timestep_post_act</c>) may name. Any other name raises <see cref="NotSupportedException"/>.
/// </summary>
public static class DiffusersActivation
{
    /// <summary>Names diffusers accepts: swish/silu, mish, gelu (exact erf form), relu.</summary>
    public static IReadOnlyList<string> Names { get; } = ["swish", "silu", "mish", "gelu", "relu"];

    public static bool IsKnown(string? name) => name is not null && Names.Contains(name);

    /// <summary>Throws unless <paramref name="name"/> is a known activation; returns it for chaining.</summary>
    public static string Validate(string name, string key = "act_fn")
        => IsKnown(name) ? name : throw new NotSupportedException($"{key}='{name}' is not a diffusers activation ({string.Join(", ", Names)}).");

    /// <summary>Applies the named activation elementwise (any shape).</summary>
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "swish" or "silu" => nn.functional.silu(x),
        "mish" => x.Mish(),
        "gelu" => nn.functional.gelu(x),
        "relu" => nn.functional.relu(x),
        _ => throw new NotSupportedException($"Activation '{name}' is not supported ({string.Join(", ", Names)})."),
    };
}
