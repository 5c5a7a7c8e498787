using FaceCraft4D.Api.Animations;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// <c>animate RUN_ID VIDEO [--name NAME] [--mode relative|absolute]</c>: starts the embedded stack, submits the video as an
/// animation job on a finished run (the same checks as the HTTP route: nothing is stored when it is refused), shows the
/// live per-stage progress (track-video chunks done / total, then video-clip), and copies the clip and its side-by-side
/// previews to <c>out/&lt;runId&gt;/</c>.
/// </summary>
public sealed class AnimateRunner(IAnsiConsole console)
{
    /// <summary>Runs one video job end to end; returns the process exit code.</summary>
    public async Task<int> RunAsync(
        string runId, string videoPath, string? name, string? mode, string? outputDirectory, string[] configurationArgs, CancellationToken cancellationToken)
    {
        if (!File.Exists(videoPath))
        {
            console.MarkupLineInterpolated($"[red]No such file:[/] {videoPath}");
            return 2;
        }

        console.MarkupLine("[grey]Starting the local stack (Azurite, durable engine, CPU GPU-worker)…[/]");
        await using var host = await EmbeddedHost.StartAsync(configurationArgs, cancellationToken).ConfigureAwait(false);
        var services = host.App.Services;
        var animations = services.GetRequiredService<AnimationService>();
        var limits = services.GetRequiredService<IOptions<AnimationOptions>>().Value;

        AnimationSubmission submission;
        try
        {
            await using var file = File.OpenRead(videoPath);
            await using var video = await VideoUploadBuffer.CreateAsync(file, Path.GetFileName(videoPath), limits.MaxUploadBytes, limits.TempDirectory, cancellationToken)
                .ConfigureAwait(false);
            submission = await animations.SubmitAsync(runId, video, new AnimationRequest(name, mode), RunSource.Cli, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidAnimationRequestException e)
        {
            console.MarkupLineInterpolated($"[red]Refused ({e.ReasonCode}):[/] {e.Message}");
            return 2;
        }

        console.MarkupLineInterpolated(
            $"Animation [bold]{submission.AnimationId}[/] on run {runId}: clip '{submission.Name}' ({(submission.Created ? "new" : "existing job")}); API at {host.BaseUrl}/api/avatars/{runId}/animations/{submission.AnimationId}");
        foreach (var note in submission.Notes)
        {
            console.MarkupLineInterpolated($"[yellow]Note:[/] {note}");
        }

        var watch = new ProgressWatch(console);
        var final = await watch.WatchAsync(
            submission.AnimationId, ct => animations.GetStatusAsync(runId, submission.AnimationId, host.BaseUrl, ct), s => (s.RuntimeStatus, s.CustomStatus),
            cancellationToken).ConfigureAwait(false);
        if (final is not { RuntimeStatus: "Completed" })
        {
            return watch.ReportUnfinished("Animation", final?.RuntimeStatus, final?.Error ?? final?.CustomStatus?.Message, host.Stack.DataDirectory);
        }

        var target = Path.GetFullPath(outputDirectory ?? Path.Combine(host.Repository.Root, "out", runId));
        var blobs = services.GetRequiredService<IBlobStore>();
        console.MarkupLineInterpolated($"Clip ready: [bold]{submission.Name}[/] ({final.Output?.Backends.GetValueOrDefault("track-video")}, {final.Output?.Backends.GetValueOrDefault("video-clip")})");
        foreach (var relative in new[]
                 {
                     PublishedAnimationFiles.Clip(submission.Name), PublishedAnimationFiles.PreviewMp4(submission.Name),
                     PublishedAnimationFiles.PreviewGif(submission.Name), PublishedAnimationFiles.Index,
                 })
        {
            var content = await blobs.TryReadAsync(StorageLayout.AvatarArtifact(runId, relative), cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                continue;
            }

            var path = Path.Combine(target, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, content.ToArray(), cancellationToken).ConfigureAwait(false);
            console.MarkupLineInterpolated($"  {Path.GetRelativePath(Directory.GetCurrentDirectory(), path)}");
        }

        console.MarkupLineInterpolated($"Viewer: ./fc4d host, then open http://127.0.0.1:7071/avatars/{runId} and pick '{submission.Name}'");
        return 0;
    }
}
