using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Animations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace FaceCraft4D.Functions;

/// <summary>The video animation job's orchestrator and publish activity as Durable Functions (the same code the local host registers).</summary>
public sealed class VideoAnimationFunctions(AnimationPublisher publisher)
{
    /// <summary>One video animation job.</summary>
    [Function(DurableNames.VideoAnimationOrchestrator)]
    public static Task<VideoAnimationOutput> VideoAnimation([OrchestrationTrigger] TaskOrchestrationContext context) =>
        VideoAnimationOrchestrator.RunAsync(context, context.GetInput<VideoAnimationInput>() ?? throw new InvalidOperationException("VideoAnimation needs a VideoAnimationInput."));

    /// <summary>Publishes a finished clip into the avatar folder.</summary>
    [Function(DurableNames.PublishAnimationActivity)]
    public Task<IReadOnlyDictionary<string, BlobRef>> PublishAnimation([ActivityTrigger] AnimationPublication publication, CancellationToken cancellationToken) =>
        publisher.PublishAsync(publication, cancellationToken);
}
