using System.Globalization;
using FaceCraft4D.Contracts;
using Names = FaceCraft4D.Contracts.VideoAnimationContract.Names;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>
/// The worker requests of a video animation job, named and parameterised exactly as <see cref="VideoAnimationContract"/>
/// says. Every request is keyed by the animation id, so its checkpoint (and its reuse after a restart) belongs to this
/// job alone.
/// </summary>
public static class AnimationWorkItems
{
    /// <summary>Number of work items of each of the job's stages: one tracking item per chunk, one fan-in.</summary>
    public static IReadOnlyDictionary<PipelineStage, int> Counts(IReadOnlyList<AnimationChunk> chunks) =>
        new Dictionary<PipelineStage, int> { [PipelineStage.TrackVideo] = chunks.Count, [PipelineStage.VideoClip] = 1 };

    /// <summary>The <see cref="PipelineStage.TrackVideo"/> request of one chunk.</summary>
    public static StageRequest Chunk(VideoAnimationInput input, AnimationChunk chunk)
    {
        var parameters = Common(input);
        parameters[Names.FirstFrame] = Text(chunk.FirstFrame);
        parameters[Names.FrameCount] = Text(chunk.FrameCount);
        return new StageRequest(
            input.RunId, PipelineStage.TrackVideo, VideoAnimationContract.ChunkKey(input.AnimationId, chunk.Index),
            Inputs(input), input.Settings, parameters);
    }

    /// <summary>The <see cref="PipelineStage.VideoClip"/> fan-in request over the chunks' tracks (in chunk order).</summary>
    public static StageRequest Clip(VideoAnimationInput input, IReadOnlyList<StageOutcome> chunks)
    {
        var parameters = Common(input);
        parameters[Names.ChunkCount] = Text(chunks.Count);
        var inputs = Inputs(input);
        for (var i = 0; i < chunks.Count; i++)
        {
            inputs[Names.ChunkTrack(i)] = TrackOf(chunks[i]);
        }

        return new StageRequest(input.RunId, PipelineStage.VideoClip, VideoAnimationContract.ClipKey(input.AnimationId), inputs, input.Settings, parameters);
    }

    /// <summary>A chunk's track file among its outputs (by output name, else by blob file name).</summary>
    public static BlobRef TrackOf(StageOutcome chunk) =>
        Output(chunk, VideoAnimationContract.Files.TrackFile)
        ?? throw new InvalidOperationException(
            $"Tracking chunk {chunk.Key} produced no {VideoAnimationContract.Files.TrackFile} (outputs: {string.Join(", ", chunk.Outputs.Keys)}).");

    /// <summary>An output of a work item by its file name, or null.</summary>
    public static BlobRef? Output(StageOutcome outcome, string fileName) =>
        outcome.Outputs.TryGetValue(fileName, out var blob)
            ? blob
            : outcome.Outputs.Values.FirstOrDefault(b => b.Name.EndsWith("/" + fileName, StringComparison.Ordinal));

    /// <summary>The run's outputs the stages read, then the video and the rig.</summary>
    private static Dictionary<string, BlobRef> Inputs(VideoAnimationInput input)
    {
        var inputs = new Dictionary<string, BlobRef>(input.RunInputs ?? new Dictionary<string, BlobRef>(), StringComparer.Ordinal)
        {
            [Names.Video] = input.Video,
            [Names.Rig] = input.Rig,
        };
        return inputs;
    }

    private static Dictionary<string, string> Common(VideoAnimationInput input) => new(StringComparer.Ordinal)
    {
        [Names.AnimationId] = input.AnimationId,
        [Names.ClipName] = input.Name,
        [Names.Fps] = input.Fps.ToString("R", CultureInfo.InvariantCulture),
        [Names.Mode] = AnimationIdentity.ModeText(input.Mode),
        [Names.Overlap] = Text(input.Overlap),
        [Names.TotalFrames] = Text(input.TotalFrames),
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
