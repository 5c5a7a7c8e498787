using System.Globalization;
using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Screening;
using FaceCraft4D.Stages;
using FaceCraft4D.Vision.Video;

namespace FaceCraft4D.GpuWorker.Endpoints;

/// <summary>
/// <c>POST /screen/video</c> (body: the video file): the intake check of a video animation job (issue 15). The body is
/// streamed to a temp file (deleted afterwards), checked by <see cref="VideoIntakeValidator"/> (readable, supported codec,
/// duration, size, frame size), then about eight frames spread over it are searched for faces. 200 with a
/// <see cref="VideoScreening"/> when it can drive an avatar; a problem document with <c>reason</c> (<c>not-a-video</c>,
/// <c>unsupported-codec</c>, <c>too-long</c>, <c>too-large</c>, <c>too-small</c>, <c>no-face</c>) when not; 501 without a
/// video reader or face detector.
/// </summary>
public static class VideoScreenEndpoints
{
    /// <summary>The route.</summary>
    public const string Route = "/screen/video";

    /// <summary>Refusal reason when most sampled frames show no face.</summary>
    public const string NoFace = "no-face";

    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapVideoScreenEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, async (HttpContext context, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            var services = context.RequestServices;
            if (services.GetService<VideoIntakeValidator>() is not { } validator || services.GetService<VideoFaceSampler>() is not { } sampler)
            {
                return Results.Problem(statusCode: StatusCodes.Status501NotImplemented, title: "No video screening",
                    detail: "This worker has no video reader (FFmpeg) or face detector.");
            }

            var logger = loggers.CreateLogger(typeof(VideoScreenEndpoints));
            var name = FileName(context.Request.Headers["X-Fc4d-File-Name"].ToString());
            var folder = Path.Combine(Path.GetTempPath(), "fc4d-screen-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, name);
            try
            {
                if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                {
                    limit.MaxRequestBodySize = null; // the validator checks the size against the configured limit
                }

                await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                {
                    await context.Request.Body.CopyToAsync(file, cancellationToken);
                }

                VideoFacts facts;
                try
                {
                    facts = await validator.ValidateAsync(path, cancellationToken);
                }
                catch (InvalidVideoException e)
                {
                    logger.LogInformation("Video screen refused {Name}: {Reason} {Message}", name, e.ReasonCode, e.Message);
                    return Refused(e.StatusCode, e.ReasonCode, e.Message);
                }

                VideoFaceSample sample;
                try
                {
                    sample = await sampler.SampleAsync(path, facts.Duration, cancellationToken);
                }
                catch (BackendUnavailableException e)
                {
                    return Results.Problem(statusCode: StatusCodes.Status501NotImplemented, title: "No video screening", detail: e.Message);
                }

                return Verdict(facts, sample);
            }
            finally
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // best effort
                }
            }
        });
        return app;
    }

    /// <summary>
    /// The decision on the sampled frames: a face on at most half of them is <c>no-face</c> (422); several faces on any is
    /// accepted with a note (the tracker takes the largest face on every frame).
    /// </summary>
    public static IResult Verdict(VideoFacts facts, VideoFaceSample sample)
    {
        var backend = $"ffprobe+{sample.Backend}";
        if (sample.FramesSampled == 0 || sample.FramesWithFace * 2 <= sample.FramesSampled)
        {
            return Refused(StatusCodes.Status422UnprocessableEntity, NoFace,
                $"A face was found on {sample.FramesWithFace} of {sample.FramesSampled} frames sampled across the video; most frames must show the face.");
        }

        var warnings = new List<string>();
        if (sample.FramesSampled > sample.FramesWithFace)
        {
            warnings.Add($"no face on {sample.FramesSampled - sample.FramesWithFace} of {sample.FramesSampled} sampled frames: those frames hold the last tracked pose");
        }

        if (sample.MostFaces > 1)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"several faces (up to {sample.MostFaces}) on {sample.FramesWithSeveralFaces} of {sample.FramesSampled} sampled frames: took the largest"));
        }

        return Results.Json(new VideoScreening(
            true, null, "The video shows a face on most frames.", facts.Duration.TotalSeconds, facts.Width, facts.Height, facts.Codec,
            facts.AverageFps, facts.HasAudio, sample.FramesSampled, sample.FramesWithFace, sample.MostFaces, backend, warnings), ContractJson.Options);
    }

    private static IResult Refused(int status, string reason, string message) =>
        Results.Problem(statusCode: status, title: "Video cannot be used", detail: message,
            extensions: new Dictionary<string, object?> { ["reason"] = reason });

    /// <summary>A safe local file name keeping the upload's extension (FFmpeg probes by content; the name only shows in messages).</summary>
    private static string FileName(string header)
    {
        var extension = Path.GetExtension(Uri.UnescapeDataString(header ?? string.Empty));
        return "video" + (extension.Length is > 1 and <= 6 && extension[1..].All(char.IsAsciiLetterOrDigit) ? extension.ToLowerInvariant() : ".bin");
    }
}
