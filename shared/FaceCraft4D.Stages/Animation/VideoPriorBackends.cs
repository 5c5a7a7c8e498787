namespace FaceCraft4D.Stages.Animation;

/// <summary>The video-prior backends of this worker by name (<c>rig</c> always; <c>liveportrait</c> when its weights are present).</summary>
public sealed class VideoPriorBackends(IEnumerable<IVideoPriorBackend> backends)
{
    private readonly Dictionary<string, IVideoPriorBackend> byName = backends.ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Backend names for the capabilities endpoint.</summary>
    public IReadOnlyList<string> Names => byName.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The backend of that name.</summary>
    /// <exception cref="StageInputException">Not a video-prior backend name.</exception>
    public IVideoPriorBackend Get(string name) =>
        byName.TryGetValue(name, out var backend)
            ? backend
            : throw new StageInputException("unknown-backend", $"'{name}' is not a video-prior backend; use one of: {string.Join(", ", Names)}.");
}
