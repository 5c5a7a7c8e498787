using System.Globalization;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Storage;
using TorchSharp;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>
/// The files of stages 1-6 for a synthetic run, in the documented layout (Stages README), rendered from the known avatar of
/// <see cref="SyntheticHeadScene"/>: preprocess/crop-white.png, shape-prior/{views.json, flame.json, head-model.safetensors,
/// vertex-offsets.f32}, enhance-back-view/image.png, enhance-view/view-XX/image.png and, optionally, videos and tracking in
/// the layout expected from stages 5-6 (animate-view/src-XX-clip-YY/frame-FFF.png, track-flame/tracking.json).
/// </summary>
internal sealed class SyntheticStageRun
{
    /// <summary>The static frame of the synthetic fit (a little smile, jaw slightly open).</summary>
    public static readonly float[] Expression = [0.8f, 0, 0];
    public static readonly float[] Jaw = [0.08f, 0, 0];

    private SyntheticStageRun(string runId, PipelineSettings settings, Dictionary<string, BlobRef> inputs)
    {
        RunId = runId;
        Settings = settings;
        Inputs = inputs;
    }

    public string RunId { get; }

    public PipelineSettings Settings { get; }

    /// <summary>Every stage 1-6 file by input name.</summary>
    public Dictionary<string, BlobRef> Inputs { get; }

    public static PipelineSettings SmallSettings(int staticIterations = 40, int coinIterations = 20, int checkpointEvery = 10) =>
        PipelinePresets.Preview with
        {
            RenderSize = 32, CropSize = 64, ViewCount = 4, SourceViewCount = 1, ClipCount = 1, FramesPerClip = 4,
            StaticIterations = staticIterations, CoinIterations = coinIterations, CheckpointEvery = checkpointEvery,
        };

    /// <summary>Writes the files and returns the run.</summary>
    public static async Task<SyntheticStageRun> WriteAsync(IBlobStore blobs, SyntheticHeadScene scene, PipelineSettings settings, string seed, bool withVideos)
    {
        var runId = RunIdentity.For(ContentHash.OfText(seed), settings);
        var inputs = new Dictionary<string, BlobRef>(StringComparer.Ordinal);
        var ct = CancellationToken.None;
        async Task Put(PipelineStage stage, string key, string file, byte[] bytes)
        {
            var name = key == PipelinePlan.SingleKey ? $"{stage.Slug()}/{file}" : $"{stage.Slug()}/{key}/{file}";
            inputs[name] = await blobs.WriteAsync(StorageLayout.StageOutput(runId, stage, key, file), new BinaryData(bytes), "application/octet-stream", ct);
        }
        const string single = PipelinePlan.SingleKey;

        var orbit = new OrbitCameraOptions
        {
            ViewCount = settings.ViewCount, Width = settings.RenderSize, Height = settings.RenderSize, Radius = scene.Orbit.Radius,
            FovYDegrees = scene.Orbit.FovYDegrees, TargetX = scene.Centre.X, TargetY = scene.Centre.Y, TargetZ = scene.Centre.Z,
        };
        var cameras = OrbitCameras.Create(orbit);
        var frame = StaticFrame(scene);
        byte[] Png(Camera camera, FlameParameters? f)
        {
            using var image = ImageTensors.ToImage(scene.Render(camera, frame: f));
            using var stream = new MemoryStream();
            image.Save(stream, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
            return stream.ToArray();
        }

        await Put(PipelineStage.Preprocess, single, StageFiles.CropWhite, Png(cameras[0].Resized(settings.CropSize, settings.CropSize), frame));
        await Put(PipelineStage.ShapePrior, single, StageFiles.Views, System.Text.Encoding.UTF8.GetBytes(new CameraSet(cameras).ToJson()));
        using (var stream = new MemoryStream())
        {
            await FlameModelFile.SaveAsync(scene.Data, stream);
            await Put(PipelineStage.ShapePrior, single, StageFiles.HeadModel, stream.ToArray());
        }
        await Put(PipelineStage.ShapePrior, single, StageFiles.VertexOffsets, new byte[scene.Data.VertexCount * 3 * 4]);
        await Put(PipelineStage.ShapePrior, single, StageFiles.Flame, JsonSerializer.SerializeToUtf8Bytes(Fit(scene, cameras[0], settings.ViewCount), ContractJson.Indented));
        await Put(PipelineStage.EnhanceBackView, single, StageFiles.Image, Png(cameras[settings.BackViewIndex], frame));
        for (int k = 1; k < settings.ViewCount; k++)
            if (k != settings.BackViewIndex)
                await Put(PipelineStage.EnhanceView, PipelinePlan.ViewKey(k), StageFiles.Image, Png(cameras[k], frame));

        if (withVideos)
        {
            var clip = Clip(settings.FramesPerClip);
            var plan = PipelinePlan.For(settings);
            foreach (var source in plan.SourceViews)
                for (int c = 0; c < settings.ClipCount; c++)
                    for (int f = 0; f < clip.Count; f++)
                        await Put(PipelineStage.AnimateView, PipelinePlan.AnimationKey(source, c), $"frame-{f.ToString("D4", CultureInfo.InvariantCulture)}.png",
                            Png(cameras[source], clip[f].ToParameters(scene.Flame, scene.Shape)));
            var tracking = new TrackingDocument(
                Enumerable.Range(0, settings.ClipCount).Select(c => new TrackedClipDocument(c, 25,
                    clip.Select(f => new TrackedFrameDocument(f.Expression, f.Jaw, f.Neck, f.Eyes, f.GlobalRotation, f.Translation)).ToArray())).ToArray(),
                "synthetic");
            await Put(PipelineStage.TrackFlame, single, "tracking.json", JsonSerializer.SerializeToUtf8Bytes(tracking, ContractJson.Indented));
        }
        return new SyntheticStageRun(runId, settings, inputs);
    }

    /// <summary>The synthetic driving clip: the jaw opens and the first expression component swings.</summary>
    public static IReadOnlyList<FlameFrame> Clip(int frames) =>
        Enumerable.Range(0, frames).Select(f =>
        {
            double t = f / (double)Math.Max(1, frames - 1);
            return new FlameFrame([(float)(1.5 * Math.Sin(Math.PI * t)), 0.5f], [(float)(0.2 * t), 0, 0], [0, (float)(0.1 * t), 0], [0, 0, 0, 0, 0, 0], [0, 0, 0], [0, 0, 0]);
        }).ToArray();

    /// <summary>The fitted static frame as FLAME parameters.</summary>
    public static FlameParameters StaticFrame(SyntheticHeadScene scene) =>
        new FlameFrame(Expression, Jaw, [0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0], [0, 0, 0]).ToParameters(scene.Flame, scene.Shape);

    /// <summary>A request for one of the stages 7-9 with the inputs the orchestrator gives it.</summary>
    public StageRequest Request(PipelineStage stage, IReadOnlyDictionary<string, BlobRef>? extra = null)
    {
        string[] prefixes = stage switch
        {
            PipelineStage.TrainStatic => ["preprocess/", "shape-prior/", "enhance-back-view/", "enhance-view/"],
            PipelineStage.TrainCoin => ["preprocess/", "shape-prior/", "enhance-back-view/", "enhance-view/", "animate-view/", "track-flame/", "train-static/"],
            PipelineStage.Export => ["preprocess/", "shape-prior/", "track-flame/", "train-coin/"],
            PipelineStage.Evaluate => ["preprocess/", "shape-prior/", "enhance-back-view/", "enhance-view/", "export/"],
            _ => throw new ArgumentOutOfRangeException(nameof(stage)),
        };
        var inputs = Inputs.Where(kv => prefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal))).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in extra ?? new Dictionary<string, BlobRef>()) inputs[k] = v;
        return new StageRequest(RunId, stage, PipelinePlan.SingleKey, inputs, Settings, new Dictionary<string, string>());
    }

    private static FlameFitDocument Fit(SyntheticHeadScene scene, Camera reference, int viewCount)
    {
        var d = scene.Data;
        return new FlameFitDocument(
            new HeadModelReference(d.Name, $"builtin:{d.Name}", StageFiles.HeadModel, d.VertexCount, d.FaceCount, d.ShapeCount, d.ExpressionCount, d.LandmarkCount, d.UvCoords is not null),
            new float[d.ShapeCount], Expression, [0, 0, 0], [0, 0, 0], Jaw, [0, 0, 0, 0, 0, 0], [0, 0, 0],
            StageFiles.VertexOffsets, StageFiles.HeadMesh, null, reference,
            new HeadPoseDocument([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 1], 0, 0, 0),
            new OrbitDocument([scene.Centre.X, scene.Centre.Y, scene.Centre.Z], [0, 1, 0], viewCount, 360.0 / viewCount),
            0, Enumerable.Repeat<float[]?>(null, 68).ToArray(), null, "synthetic");
    }
}
