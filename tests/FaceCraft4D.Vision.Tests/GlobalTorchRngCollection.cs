namespace FaceCraft4D.Vision.Tests;

/// <summary>
/// Tests that seed torch's global RNG and then build modules (whose default init draws from it) must not run beside
/// other test classes doing the same, or their weights, and so their figures, change from run to run. The classes of
/// this collection run one after another, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRngCollection
{
    public const string Name = "global torch RNG";
}
