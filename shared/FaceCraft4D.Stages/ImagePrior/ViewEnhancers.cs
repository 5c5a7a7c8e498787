using FaceCraft4D.Vision.ImagePrior;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary>
/// The image-prior backends registered in this worker (<see cref="IViewEnhancer"/> services), by name. The
/// <c>warp</c> backend is always there; a <c>diffusion</c> backend is registered by the priors library when its
/// weights are present.
/// </summary>
public sealed class ViewEnhancers(IEnumerable<IViewEnhancer> enhancers)
{
    /// <summary>Name of the diffusion backend.</summary>
    public const string Diffusion = "diffusion";

    private readonly Dictionary<string, IViewEnhancer> byName = enhancers.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Backend names for the capabilities endpoint (the registered ones).</summary>
    public IReadOnlyList<string> Names => byName.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The backend of that name.</summary>
    /// <exception cref="BackendUnavailableException">The diffusion backend is not registered here.</exception>
    /// <exception cref="StageInputException">Not an image-prior backend name.</exception>
    public IViewEnhancer Get(string name)
    {
        if (byName.TryGetValue(name, out var enhancer)) return enhancer;
        if (string.Equals(name, Diffusion, StringComparison.OrdinalIgnoreCase))
            throw new BackendUnavailableException("diffusion weights/implementation not available in this worker");
        throw new StageInputException("unknown-backend",
            $"'{name}' is not an image-prior backend; use one of: {string.Join(", ", Names.Append(Diffusion).Distinct())}.");
    }
}
