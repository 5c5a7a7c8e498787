using Azure.Storage.Blobs;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace FaceCraft4D.Functions;

/// <summary>
/// Starts a run for every photo uploaded to <c>uploads/</c>; invalid uploads are moved to <c>uploads-rejected/</c>
/// with a reason file. Event Grid source: the only blob trigger source on the Flex Consumption plan.
/// The trigger binds a <see cref="BlobClient"/> (an SDK-type binding: nothing is downloaded), so an upload of any size
/// costs nothing before <see cref="UploadIntake"/> has checked its length from the blob's properties.
/// </summary>
public sealed class UploadBlobTrigger(ClientBoundApi api)
{
    /// <summary>Handles one new upload.</summary>
    [Function("UploadBlobTrigger")]
    public Task Run(
        [BlobTrigger(StorageLayout.UploadsContainer + "/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient blob,
        string name,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        _ = blob; // the intake reads properties (length, metadata) first, then the content only when it is within the limit
        if (FaceCraft4D.Api.Animations.VideoUploadIntake.IsAnimationUpload(name))
        {
            return Task.CompletedTask; // videos for animation jobs: AnimationUploadBlobTrigger
        }

        return api.Intake(client).ProcessAsync(name, cancellationToken);
    }
}
