using System.Globalization;
using FaceCraft4D.Contracts;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Performance;

/// <summary>
/// What both video stages read besides their own inputs: the video (copied to a local temporary file for FFmpeg), the
/// avatar's identity (<see cref="VideoAnimationContract.Names.Rig"/>'s <c>flame_shape</c> on the run's head model, loaded by
/// <see cref="TrainingHeadLoader"/> from the shape prior's inputs as the Export stage does) and the work item's parameters.
/// </summary>
public static class PerformanceStageInputs
{
    /// <summary>
    /// The run inputs both stages need besides the video, the rig and the tracks: <c>shape-prior/flame.json</c>,
    /// <c>shape-prior/vertex-offsets.f32</c>, <c>shape-prior/head-model.safetensors</c> (when the built-in head was used),
    /// <c>shape-prior/views.json</c> (VideoClip: the avatar's camera) and, when the run has them, <c>track-flame/tracking.json</c>
    /// with its offsets file: the same run inputs as the Export stage (<c>StageInputs.From</c> of the run's outcomes is enough).
    /// </summary>
    public static IReadOnlyList<string> RunInputs { get; } =
    [
        StageFiles.From(PipelineStage.ShapePrior, StageFiles.Flame), StageFiles.From(PipelineStage.ShapePrior, StageFiles.VertexOffsets),
        StageFiles.From(PipelineStage.ShapePrior, StageFiles.HeadModel), StageFiles.From(PipelineStage.ShapePrior, StageFiles.Views),
    ];

    /// <summary>A required integer parameter.</summary>
    public static int Int(StageJobContext context, string name, int? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Parameters.TryGetValue(name, out var text))
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
                ? v : throw new StageInputException("input-invalid", $"Parameter '{name}' = '{text}' is not an integer.");
        return fallback ?? throw new StageInputException("input-invalid", $"Parameter '{name}' is missing.");
    }

    /// <summary>The frame rate parameter (default <see cref="VideoAnimationContract.DefaultFps"/>).</summary>
    public static double Fps(StageJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Parameters.TryGetValue(VideoAnimationContract.Names.Fps, out var text)) return VideoAnimationContract.DefaultFps;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fps) && fps is > 0 and <= 120
            ? fps : throw new StageInputException("input-invalid", $"Parameter 'fps' = '{text}' is not a frame rate in (0, 120].");
    }

    /// <summary>A string parameter or its default.</summary>
    public static string Text(StageJobContext context, string name, string fallback) =>
        context.Request.Parameters.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v : fallback;

    /// <summary>Copies the video input to a new temporary file (the caller deletes it); keeps the blob's extension.</summary>
    public static async Task<string> DownloadVideoAsync(StageJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = VideoAnimationContract.Names.Video;
        if (!context.Request.Inputs.TryGetValue(name, out var blob))
            throw new StageInputException("input-missing", $"Input '{name}' is missing.");
        var extension = Path.GetExtension(blob.Name);
        var path = Path.Combine(Path.GetTempPath(), $"fc4d-video-{Guid.NewGuid():N}{(extension.Length is > 0 and < 8 ? extension : ".bin")}");
        try
        {
            await using var source = await context.Blobs.OpenReadAsync(context.Request.Input(name), context.CancellationToken).ConfigureAwait(false);
            await using var target = File.Create(path);
            await source.CopyToAsync(target, context.CancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        return path;
    }

    /// <summary>The run's head (personalised model) and the avatar's identity from the rig's <c>flame_shape</c>.</summary>
    public static async Task<(TrainingHead Head, float[] Shape)> ReadIdentityAsync(StageJobContext context, TrainingHeadLoader heads)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(heads);
        var head = await heads.LoadAsync(context).ConfigureAwait(false);
        try
        {
            var rig = await ReadRigAsync(context).ConfigureAwait(false);
            if (!rig.Contains("flame_shape")) throw new StageInputException("input-invalid", $"{VideoAnimationContract.Names.Rig} has no flame_shape tensor.");
            using var shape = rig.GetTorch("flame_shape", torch.CPU, ScalarType.Float32);
            return (head, shape.contiguous().data<float>().ToArray());
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    /// <summary>The rig tensors (<c>avatar_rig.safetensors</c>).</summary>
    public static async Task<InMemorySafeTensors> ReadRigAsync(StageJobContext context)
    {
        var bytes = await context.ReadRequiredAsync(VideoAnimationContract.Names.Rig).ConfigureAwait(false);
        try
        {
            using var stream = bytes.ToStream();
            return await InMemorySafeTensors.ReadAsync(stream, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException)
        {
            throw new StageInputException("input-invalid", $"{VideoAnimationContract.Names.Rig} is not a safetensors file: {e.Message}", e);
        }
    }
}
