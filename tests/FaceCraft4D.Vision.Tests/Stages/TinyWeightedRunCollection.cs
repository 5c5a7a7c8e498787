namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>The weighted-backend stage tests share one <see cref="TinyWeightedRun"/> (one tiny models folder, one template run).</summary>
[CollectionDefinition(Name)]
public sealed class TinyWeightedRunCollection : ICollectionFixture<TinyWeightedRun>
{
    public const string Name = "tiny weighted run";
}
