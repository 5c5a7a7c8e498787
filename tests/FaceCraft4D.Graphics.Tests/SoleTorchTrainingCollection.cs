namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// Long training loops run alone in the test process, after the parallel classes. TorchSharp 0.107 does not keep the
/// Scalars it creates implicitly (`x * 0.5`, `add`'s alpha of 1) alive across the native call
/// (dotnet/TorchSharp#1434, #1496, both open), so a garbage collection that another test thread triggers during such a
/// call can let the finalizer free the Scalar while libtorch still reads it ("Expected false to be true ... toFloat").
/// With no other test class allocating in this process, no collection can start while the loop is in native code.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoleTorchTrainingCollection
{
    public const string Name = "sole torch training";
}
