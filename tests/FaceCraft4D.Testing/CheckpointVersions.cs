using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Testing;

/// <summary>
/// The checkpoint records of a run's work items and their blob versions: a work item executed again rewrites its
/// record, so a version that changed between two reads means the work ran twice.
/// </summary>
public static class CheckpointVersions
{
    /// <summary>Every <c>checkpoint.json</c> under <paramref name="prefix"/> of the runs container (e.g. <c>{runId}/stages/</c>).</summary>
    public static async Task<Dictionary<string, string>> ReadAsync(IBlobStore store, string prefix)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in store.ListAsync(StorageLayout.RunsContainer, prefix, CancellationToken.None))
        {
            if (blob.Blob.Name.EndsWith("/checkpoint.json", StringComparison.Ordinal)
                && await store.TryReadVersionedAsync(blob.Blob, CancellationToken.None) is { } content)
            {
                found[blob.Blob.Name] = content.Version;
            }
        }

        return found;
    }
}
