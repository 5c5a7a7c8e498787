namespace FaceCraft4D.Vision.Tests.PanoHead;

/// <summary>
/// The PanoHead test classes seed and draw from torch's global RNG (module construction, manual_seed); xunit runs
/// classes in parallel, so they share one collection and run one after another to stay deterministic.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PanoHeadTestCollection
{
    public const string Name = "PanoHead (torch global RNG)";
}
