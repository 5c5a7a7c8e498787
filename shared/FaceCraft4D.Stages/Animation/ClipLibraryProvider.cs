using FaceCraft4D.Animation.Clips;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.Animation;

/// <summary>The worker's driving clips (bundled plus <c>Fc4d:Animation:Clips:Folder</c>), read once on first use.</summary>
public sealed class ClipLibraryProvider(IOptions<AnimationStageOptions> options) : IDisposable
{
    private readonly AsyncOnce<ClipLibrary> library = new(ct => ClipLibrary.LoadAsync(options.Value.Clips, ct));

    /// <summary>The clips.</summary>
    public Task<ClipLibrary> GetAsync(CancellationToken cancellationToken) => library.GetAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => library.Dispose();
}
