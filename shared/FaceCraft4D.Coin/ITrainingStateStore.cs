namespace FaceCraft4D.Coin;

/// <summary>
/// Where a resumable training job keeps its state (the worker: a blob under the work item's output prefix). Writes replace
/// the previous state atomically (one blob upload); the state is a <see cref="TrainingStateFile"/>.
/// </summary>
public interface ITrainingStateStore
{
    /// <summary>The last saved state, or null when there is none.</summary>
    Task<byte[]?> TryReadAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the saved state.</summary>
    Task WriteAsync(byte[] state, CancellationToken cancellationToken);
}
