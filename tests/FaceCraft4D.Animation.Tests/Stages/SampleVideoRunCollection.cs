namespace FaceCraft4D.Animation.Tests.Stages;

/// <summary>The test classes that share one <see cref="SampleVideoRun"/> (the chain runs once).</summary>
[CollectionDefinition(Name)]
public sealed class SampleVideoRunCollection : ICollectionFixture<SampleVideoRun>
{
    public const string Name = "sample video run";
}
