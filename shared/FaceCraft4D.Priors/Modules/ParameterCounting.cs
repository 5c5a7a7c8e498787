using TorchSharp;

namespace FaceCraft4D.Priors.Modules;

/// <summary>Name/shape enumeration of modules, also valid for modules built on the meta device (no memory).</summary>
public static class ParameterCounting
{
    /// <summary>State dict names and shapes (parameters and persistent buffers), in module order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> StateShapes(torch.nn.Module module)
        => module.state_dict().Select(kv => (kv.Key, kv.Value.shape)).ToList();

    /// <summary>Number of trainable parameter elements (what diffusers' <c>num_parameters()</c> reports).</summary>
    public static long ParameterCount(torch.nn.Module module)
        => module.parameters().Sum(p => p.shape.Aggregate(1L, (a, b) => a * b));
}
