using FaceCraft4D.Api;
using FaceCraft4D.Api.Animations;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.LocalHost;

/// <summary>
/// The local stand-in for the Functions blob trigger: polls <c>uploads/</c> and hands every blob not yet
/// processed to <see cref="UploadIntake"/> (which tags processed uploads, so each starts one run, and checks each blob's
/// length from its properties before reading it: an oversize upload is never downloaded).
/// </summary>
public sealed class UploadWatcher(
    IBlobStore blobs, UploadIntake intake, VideoUploadIntake videos, IOptions<LocalStackOptions> options, ILogger<UploadWatcher> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.UploadPollInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await ScanAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Scanning uploads failed; trying again in {Interval}", interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        await foreach (var blob in blobs.ListAsync(StorageLayout.UploadsContainer, string.Empty, cancellationToken).ConfigureAwait(false))
        {
            if (VideoUploadIntake.IsAnimationUpload(blob.Blob.Name))
            {
                await ProcessVideoAsync(blob, cancellationToken).ConfigureAwait(false);
            }
            else if (!blob.Metadata.ContainsKey(UploadIntake.RunIdMetadataKey))
            {
                await intake.ProcessAsync(blob.Blob.Name, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A video under <c>uploads/animations/{runId}/</c>: an animation job (<see cref="VideoUploadIntake"/>), once.</summary>
    private async Task ProcessVideoAsync(BlobInfo blob, CancellationToken cancellationToken)
    {
        if (!blob.Metadata.ContainsKey(VideoUploadIntake.AnimationIdMetadataKey))
        {
            await videos.ProcessAsync(blob.Blob.Name, cancellationToken).ConfigureAwait(false);
        }
    }
}
