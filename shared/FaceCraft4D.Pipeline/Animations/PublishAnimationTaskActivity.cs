using FaceCraft4D.Contracts;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>Activity <see cref="DurableNames.PublishAnimationActivity"/>.</summary>
public sealed class PublishAnimationTaskActivity(AnimationPublisher publisher)
    : TaskActivity<AnimationPublication, IReadOnlyDictionary<string, BlobRef>>
{
    /// <inheritdoc />
    public override Task<IReadOnlyDictionary<string, BlobRef>> RunAsync(TaskActivityContext context, AnimationPublication input) =>
        publisher.PublishAsync(input, CancellationToken.None);
}
