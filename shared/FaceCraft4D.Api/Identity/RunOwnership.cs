using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Api.Identity;

/// <summary>
/// Who owns a run, from its owner record (<c>runs/{runId}/input/owner.json</c>, <see cref="RunOwnerRecord"/>). Runs
/// stored before owners existed have no record but have their settings: they belong to <see cref="RunIdentity.LocalOwner"/>
/// (their ids are the local owner's ids). No input at all: the run does not exist (null).
/// </summary>
public sealed class RunOwnership(IBlobStore blobs)
{
    /// <summary>The owner of <paramref name="runId"/>, or null when there is no such run.</summary>
    public async Task<string?> FindOwnerAsync(string runId, CancellationToken cancellationToken)
    {
        if (!RunIdentity.IsValid(runId))
        {
            return null;
        }

        var record = await blobs.TryReadAsync(StorageLayout.RunInput(runId, RunInputFactory.OwnerFileName), cancellationToken).ConfigureAwait(false);
        if (record is not null)
        {
            var owner = record.ToObjectFromJson<RunOwnerRecord>(ContractJson.Options)?.Owner;
            return string.IsNullOrWhiteSpace(owner) ? null : owner;
        }

        var settings = await blobs.GetInfoAsync(StorageLayout.RunInput(runId, "settings.json"), cancellationToken).ConfigureAwait(false);
        return settings is null ? null : RunIdentity.LocalOwner;
    }
}
