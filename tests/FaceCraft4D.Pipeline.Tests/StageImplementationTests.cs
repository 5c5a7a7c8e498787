using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>
/// The worker's stage implementation identity: the handler's version and a fingerprint of the weights it declares,
/// which changes when weights are installed (folder or models container) or replaced, and not otherwise.
/// </summary>
public sealed class StageImplementationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fc4d-weights-").FullName;

    [Fact]
    public async Task Installing_or_replacing_weights_changes_the_identity_and_unrelated_files_do_not()
    {
        var blobs = new InMemoryBlobStore();
        var store = new ModelStore(blobs, Options.Create(new ModelStoreOptions { LocalPath = folder }));
        var handler = new SyntheticStageHandler(PipelineStage.ShapePrior, new ExecutionLedger(), TimeSpan.Zero)
        {
            ImplementationVersion = 3, WeightPaths = ["panohead/v1", "flame/2023/flame.safetensors"],
        };
        var implementations = new StageImplementations(new StageHandlerCatalog([handler]), store);

        var none = await implementations.DescribeAsync(PipelineStage.ShapePrior, default);
        Assert.Equal(new StageImplementation(PipelineStage.ShapePrior, 3, StageImplementation.NoWeights), none);
        Assert.Equal("shape-prior/v3/weights-none", none!.Id);

        // An unrelated prior and a sibling folder whose name merely starts with the declared one change nothing.
        Directory.CreateDirectory(Path.Combine(folder, "lpips", "v0.1"));
        await File.WriteAllTextAsync(Path.Combine(folder, "lpips", "v0.1", "lpips.safetensors"), "x");
        await blobs.WriteAsync(new BlobRef(StorageLayout.ModelsContainer, "panohead/v10/generator.safetensors"), BinaryData.FromString("x"), "application/octet-stream", default);
        Assert.Equal(none, await implementations.DescribeAsync(PipelineStage.ShapePrior, default));

        // Weights installed in the models container: a new identity.
        await blobs.WriteAsync(new BlobRef(StorageLayout.ModelsContainer, "panohead/v1/generator.safetensors"), BinaryData.FromString("weights"), "application/octet-stream", default);
        var inContainer = await implementations.DescribeAsync(PipelineStage.ShapePrior, default);
        Assert.Matches("^[0-9a-f]{16}$", inContainer!.Weights);
        Assert.Equal(inContainer, await implementations.DescribeAsync(PipelineStage.ShapePrior, default));

        // A FLAME file in the local folder, then that file replaced by one of another size: a new identity each time.
        Directory.CreateDirectory(Path.Combine(folder, "flame", "2023"));
        var flame = Path.Combine(folder, "flame", "2023", "flame.safetensors");
        await File.WriteAllTextAsync(flame, "flame");
        var withFlame = await implementations.DescribeAsync(PipelineStage.ShapePrior, default);
        Assert.NotEqual(inContainer, withFlame);
        await File.WriteAllTextAsync(flame, "flame, fixed");
        Assert.NotEqual(withFlame, await implementations.DescribeAsync(PipelineStage.ShapePrior, default));

        // A stage the worker has no handler for has no implementation.
        Assert.Null(await implementations.DescribeAsync(PipelineStage.Export, default));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
