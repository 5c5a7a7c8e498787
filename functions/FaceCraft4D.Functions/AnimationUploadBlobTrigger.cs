using FaceCraft4D.Api.Animations;
using FaceCraft4D.Contracts;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace FaceCraft4D.Functions;

/// <summary>
/// Starts a video animation job for every video uploaded under <c>uploads/animations/</c>: <c>{owner}/{runId}/{file}</c> where
/// the owner comes from the path (Azure), else <c>{runId}/{file}</c>; the intake parses the name and checks that the
/// uploader owns the run. Refused videos are moved to <c>uploads-rejected/</c> with a reason file. (The portrait trigger
/// on <c>uploads/</c> skips this folder.)
/// </summary>
public sealed class AnimationUploadBlobTrigger(ClientBoundAnimations animations)
{
    /// <summary>Handles one new video upload.</summary>
    [Function("AnimationUploadBlobTrigger")]
    public Task Run(
        [BlobTrigger(StorageLayout.UploadsContainer + "/" + VideoAnimationContract.UploadPrefix + "{name}", Source = BlobTriggerSource.EventGrid,
            Connection = "AzureWebJobsStorage")] Stream content,
        string name,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        _ = content; // the intake streams the blob itself, with its metadata
        return animations.Intake(client).ProcessAsync($"{VideoAnimationContract.UploadPrefix}{name}", cancellationToken);
    }
}
