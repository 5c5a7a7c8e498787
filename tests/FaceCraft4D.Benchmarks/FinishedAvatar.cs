using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.Training;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// A finished run's avatar read from a folder of its blobs (<c>infra/eval/tools/azurite-run-files.py</c>:
/// <c>DIR/runs/{id}/stages/**</c> and <c>DIR/avatars/{id}/avatar_rig.safetensors</c>): the rig, its FLAME model, the orbit
/// cameras, the orbit pivot and the portrait's frame, as the Evaluate stage reads them.
/// </summary>
internal sealed class FinishedAvatar : IDisposable
{
    private FinishedAvatar(TrainingHead head, FlameModel flame, FlameGaussianAvatar avatar, IReadOnlyList<Camera> cameras,
        PipelineSettings settings, IReadOnlyDictionary<string, byte[]> files)
    {
        Head = head; Flame = flame; Avatar = avatar; Cameras = cameras; Settings = settings; Files = files;
        Frame = head.StaticFrame.ToParameters(flame, avatar.Shape);
    }

    public TrainingHead Head { get; }

    public FlameModel Flame { get; }

    public FlameGaussianAvatar Avatar { get; }

    /// <summary>The orbit cameras (<c>shape-prior/views.json</c>), view 0 the reference.</summary>
    public IReadOnlyList<Camera> Cameras { get; }

    public PipelineSettings Settings { get; }

    /// <summary>The single-key stages' files by input name (<c>{stage}/{file}</c>, e.g. <c>enhance-back-view/image.png</c>).</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; }

    /// <summary>The orbit pivot (world).</summary>
    public double[] Pivot => Head.Fit.Orbit.Pivot;

    /// <summary>The portrait's FLAME frame (the static views' pose).</summary>
    public FlameParameters Frame { get; }

    public static async Task<FinishedAvatar> LoadAsync(string dir, CancellationToken ct)
    {
        var blobs = new InMemoryBlobStore();
        var runRoot = Directory.GetDirectories(Path.Combine(dir, "runs")).Single();
        var runId = Path.GetFileName(runRoot);
        var inputs = new Dictionary<string, BlobRef>(StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(runRoot, "stages"), "*", SearchOption.AllDirectories))
        {
            // runs/{id}/stages/{stage}/{key}/{file}: the single-key stages' files are the inputs "{stage}/{file}";
            // the per-view stages' files keep their key ("{stage}/{key}/{file}").
            var rel = Path.GetRelativePath(Path.Combine(runRoot, "stages"), file).Replace('\\', '/').Split('/', 3);
            if (rel.Length < 3 || rel[2].StartsWith("jobs/", StringComparison.Ordinal)) continue;
            var bytes = await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false);
            if (rel[1] != "0") { files[$"{rel[0]}/{rel[1]}/{rel[2]}"] = bytes; continue; }
            files[$"{rel[0]}/{rel[2]}"] = bytes;
            inputs[$"{rel[0]}/{rel[2]}"] = await blobs.WriteAsync(new BlobRef(StorageLayout.RunsContainer, $"{runId}/stages/{rel[0]}/0/{rel[2]}"),
                new BinaryData(bytes), "application/octet-stream", ct).ConfigureAwait(false);
        }
        var settings = PipelinePresets.Get("preview");
        var request = new StageRequest(runId, PipelineStage.Evaluate, "0", inputs, settings, new Dictionary<string, string>());
        var context = new StageJobContext(request, blobs, new Progress<JobProgress>(), "finished-avatar", ct);
        var loader = new TrainingHeadLoader(new ModelStore(blobs, Options.Create(new ModelStoreOptions())));
        var head = await loader.LoadAsync(context).ConfigureAwait(false);
        var flame = new FlameModel(head.Data, CPU);
        await using var rigStream = File.OpenRead(Path.Combine(dir, "avatars", runId, ExportFiles.RigTensors));
        var avatar = await AvatarRigFile.ReadAvatarAsync(rigStream, flame, ct).ConfigureAwait(false);
        var cameras = await StaticViewReader.ReadCamerasAsync(context).ConfigureAwait(false);
        return new FinishedAvatar(head, flame, avatar, cameras, settings, files);
    }

    public void Dispose()
    {
        Avatar.Dispose();
        Flame.Dispose();
        Head.Dispose();
    }
}
