using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>A validated photo with its settings and run id, ready to be stored and started.</summary>
/// <param name="RunId">Derived from the image and settings hashes and the owner.</param>
/// <param name="Portrait">The validated photo.</param>
/// <param name="Settings">The validated settings.</param>
/// <param name="OriginalName">Display name of the upload.</param>
/// <param name="Owner">Who the run belongs to.</param>
public sealed record PreparedRun(string RunId, ValidatedPortrait Portrait, PipelineSettings Settings, string? OriginalName, string Owner = RunIdentity.LocalOwner)
{
    /// <summary>Where the photo is stored: <c>runs/{runId}/input/portrait.{ext}</c>.</summary>
    public BlobRef InputBlob => StorageLayout.RunInput(RunId, Portrait.FileName) with { Sha256 = Portrait.Sha256 };
}

/// <summary>
/// Turns an upload into a run input: validation of the photo and the settings (no I/O), a face screening by a worker,
/// then storing the photo and the settings under <c>runs/{runId}/input/</c> (idempotent). Used by every entry point.
/// </summary>
public sealed class RunInputFactory(
    PortraitValidator validator, RunSettingsResolver settings, IPortraitScreen screen, IBlobStore blobs, IOptions<PipelineOptions> options)
{
    /// <summary>Name of the owner record under <c>runs/{runId}/input/</c> (<see cref="RunOwnerRecord"/>).</summary>
    public const string OwnerFileName = "owner.json";

    /// <summary>
    /// Validates; throws <see cref="InvalidPortraitException"/> or <see cref="InvalidSettingsException"/> (its
    /// <see cref="WorkBudgetExceededException"/> when the settings exceed the preset's budget and <paramref name="allowance"/> does not allow it).
    /// The settings are checked first: they are cheap, the image decode is not.
    /// </summary>
    /// <param name="owner">Who the run belongs to (part of the run id).</param>
    public PreparedRun Prepare(
        BinaryData content, string? originalName, string? preset, JsonObject? overrides, string owner = RunIdentity.LocalOwner,
        WorkAllowance allowance = WorkAllowance.WithinPresetBudget)
    {
        var resolved = settings.Resolve(preset, overrides, allowance);
        var portrait = validator.Validate(content);
        return new PreparedRun(RunIdentity.For(portrait.Sha256, resolved, owner), portrait, resolved, SafeDisplayName(originalName), owner);
    }

    /// <summary>Checks for a usable face (a GPU worker's detector); throws <see cref="InvalidPortraitException"/> (422) otherwise.</summary>
    public Task ScreenAsync(PreparedRun run, CancellationToken cancellationToken) => screen.ScreenAsync(run.Portrait, cancellationToken);

    /// <summary>Stores the photo (only if absent), the owner record (only if absent) and the settings; returns the orchestration input.</summary>
    public async Task<RunInput> StoreAsync(PreparedRun run, RunSource source, CancellationToken cancellationToken)
    {
        await blobs.TryCreateAsync(run.InputBlob, run.Portrait.Content, run.Portrait.MimeType, cancellationToken).ConfigureAwait(false);
        await blobs.TryCreateAsync(
            StorageLayout.RunInput(run.RunId, OwnerFileName), BinaryData.FromObjectAsJson(new RunOwnerRecord(run.Owner), ContractJson.Options),
            "application/json", cancellationToken).ConfigureAwait(false);
        await blobs.WriteAsync(
            StorageLayout.RunInput(run.RunId, "settings.json"), BinaryData.FromObjectAsJson(run.Settings, ContractJson.Indented),
            "application/json", cancellationToken).ConfigureAwait(false);
        return new RunInput(run.RunId, run.InputBlob, run.Settings, options.Value.ToRunPolicy(), source, run.OriginalName, run.Owner);
    }

    private static string? SafeDisplayName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? null : new string(Path.GetFileName(name).Where(c => !char.IsControl(c)).Take(200).ToArray());
}
