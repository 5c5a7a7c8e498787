using System.Buffers.Binary;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages.Preprocess;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.ShapePrior;

/// <summary>
/// Stage 2 "ShapePrior" (paper 3.1): reads the preprocessed crop, mask, landmarks and crop camera, runs the
/// requested backend (<see cref="PipelineSettings.ShapePriorBackend"/>) and writes every orbit view (colour,
/// depth, mask), the cameras, the fitted FLAME parameters with the head mesh, model and texture, and a contact
/// sheet (also copied to the avatar folder as <c>shape-prior-contact-sheet.png</c>).
/// </summary>
public sealed class ShapePriorStageHandler(ShapePriorBackends backends, IOptions<ShapePriorStageOptions> options) : IStageHandler
{
    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.ShapePrior;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends => ShapePriorBackends.Names;

    /// <inheritdoc />
    public int ImplementationVersion => 4 + (options.Value.Template.Texture.FaceSkinFromFaceOnly ? 1 : 0) + (options.Value.Template.TempleNarrowing.Enabled ? 2 : 0) + (options.Value.Template.Texture.FramedSideBand ? 4 : 0) + (options.Value.Template.HairLength.Enabled ? 8 : 0) + (options.Value.Template.Texture.NeckFromClothing ? 16 : 0) + (options.Value.Template.HangingHair.Enabled ? 32 : 0) + (options.Value.Template.Texture.ClothedNape ? 64 : 0) + ((options.Value.Template.Texture.ClothedNape || options.Value.Template.Texture.NeckFromClothing) && options.Value.Template.Texture.NeckClothingMinUniformity > 0 ? 128 : 0); // 148-259 (with the switches below): either neck switch gated on a one-coloured neck sample (HeadTextureOptions.NeckClothingMinUniformity > 0, s31; with ClothedNape the neck sample's statistics recorded); 68-131 (with the switches below): the unseen back of a covered neck in the clothing's colour (HeadTextureOptions.ClothedNape, s30, off by default); 36-67 (with the switches below): the hair shell continued down to the portrait's hair end outside the neck (TemplateShapePriorOptions.HangingHair, s29, off by default); 20-35 (with the switches below): the unseen neck from the clothing's colour when the portrait's neck is covered (HeadTextureOptions.NeckFromClothing, s28, off by default); 12-19 (with 5's, 6's and 8's switches): the unseen hair's lower edge from where the portrait's hair ends beside the face (TemplateShapePriorOptions.HairLength, s28, off by default); 8-11 (with 5's and 6's switches): the strip between cheek and ear taken from the hair-framed side (HeadTextureOptions.FramedSideBand, s27, off by default); 6 (7 with 5's switch): the fitted face narrowed at temple and cheek height to the portrait's face outline (TemplateShapePriorOptions.TempleNarrowing, s25, off by default); 5: the face's skin below the brows takes only the portrait's face pixels (HeadTextureOptions.FaceSkinFromFaceOnly, s24; 4 with it off, the default); 4: behind the jaw contour, outside the hair, the portrait is taken only where the surface faces its camera (cos >= 0.6): no doubled jaw on the side of the neck (side-ghost); 3: hair from confident exemplar texels, feathered 16-texel blocks, shading from the seen hair, downward strands, ragged nape (hair-back); 2: orbit views near the front from the head's level; face pixels texture the skin only; hair from behind the ears (side-views)

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [options.Value.FlameModelPath, options.Value.PanoHeadPath, options.Value.LpipsWeightsPath];

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        var ct = context.CancellationToken;
        var settings = context.Request.Settings;
        var backend = await backends.GetAsync(settings.ShapePriorBackend, ct).ConfigureAwait(false);
        context.Progress.Report(new JobProgress(0, 3, "reading the preprocessed portrait"));
        var input = await ReadInputAsync(context).ConfigureAwait(false);

        context.Progress.Report(new JobProgress(1, 3, $"fitting and rendering {settings.ViewCount} views ({backend.Name})"));
        var result = await backend.RunAsync(input, new ShapePriorRequest(settings.RenderSize, settings.ViewCount, settings.Seed), ct).ConfigureAwait(false);
        var head = await backends.HeadModelAsync(ct).ConfigureAwait(false);

        context.Progress.Report(new JobProgress(2, 3, "writing views"));
        var outputs = new Dictionary<string, BlobRef>();
        async Task Write(string name, BinaryData data, string type) => outputs[name] = await context.WriteOutputAsync(name, data, type).ConfigureAwait(false);

        for (int k = 0; k < result.Views.Count; k++)
        {
            var view = result.Views[k];
            await Write(StageFiles.ViewImage(k), StageImageCodec.Png(view.Image), StageImageCodec.PngContentType).ConfigureAwait(false);
            await Write(StageFiles.ViewDepth(k), new BinaryData(view.Depth.ToRawBytes()), StageImageCodec.BinaryContentType).ConfigureAwait(false);
            await Write(StageFiles.ViewMask(k), StageImageCodec.Png(view.Mask), StageImageCodec.PngContentType).ConfigureAwait(false);
        }
        var cameras = new CameraSet(result.Views.Select(v => v.Camera).ToArray());
        await Write(StageFiles.Views, BinaryData.FromString(cameras.ToJson()), "application/json").ConfigureAwait(false);
        await Write(StageFiles.HeadMesh, new BinaryData(PlyMeshWriter.Write(result.Mesh, result.VertexColours, $"FaceCraft4D shape prior ({result.Backend}); FLAME frame, metres")), StageImageCodec.BinaryContentType).ConfigureAwait(false);
        await Write(StageFiles.VertexOffsets, new BinaryData(Floats(result.VertexOffsets)), StageImageCodec.BinaryContentType).ConfigureAwait(false);
        if (result.Texture is not null)
            await Write(StageFiles.Texture, StageImageCodec.Png(result.Texture), StageImageCodec.PngContentType).ConfigureAwait(false);
        if (head.BuiltIn)
        {
            using var stream = new MemoryStream();
            await FlameModelFile.SaveAsync(head.Data, stream, ct).ConfigureAwait(false);
            await Write(StageFiles.HeadModel, new BinaryData(stream.ToArray()), StageImageCodec.BinaryContentType).ConfigureAwait(false);
        }
        await Write(StageFiles.Flame, BinaryData.FromObjectAsJson(Document(result, head, settings.ViewCount), ContractJson.Indented), "application/json").ConfigureAwait(false);

        var o = options.Value;
        var sheet = StageImageCodec.Png(ContactSheet.Compose(
            result.Views.Select(v => new ContactSheetView(v.Image, v.Depth, v.Mask)).ToArray(), o.ContactSheetThumbnail, o.ContactSheetColumns));
        await Write(StageFiles.ContactSheet, sheet, StageImageCodec.PngContentType).ConfigureAwait(false);
        outputs[StageFiles.ShapePriorContactSheetArtifact] = await context.Blobs.WriteAsync(
            StorageLayout.AvatarArtifact(context.Request.RunId, StageFiles.ShapePriorContactSheetArtifact), sheet, StageImageCodec.PngContentType, ct).ConfigureAwait(false);

        context.Progress.Report(new JobProgress(3, 3, "done"));
        var notes = result.Notes.ToList();
        if (head.BuiltIn) notes.Add("No FLAME model in the models store: the built-in procedural head was fitted.");
        if (input.DenseLandmarks is not null && result.LandmarkFit != LandmarkFitNames.Ibug68)
            notes.Add($"The head was fitted to {input.DenseLandmarks.Length / 3} dense FaceMesh landmarks ({input.DenseLandmarkBackend}).");
        return new StageResult(outputs, result.Backend, context.WorkerVersion, result.Metrics, notes);
    }

    /// <summary>Reads <c>preprocess/crop.png</c>, <c>mask.png</c>, <c>landmarks.json</c> and <c>camera.json</c>.</summary>
    private static async Task<ShapePriorInput> ReadInputAsync(StageJobContext context)
    {
        var crop = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.Preprocess, StageFiles.Crop)).ConfigureAwait(false), StageFiles.Crop);
        var mask = StageImageCodec.ReadMask(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.Preprocess, StageFiles.Mask)).ConfigureAwait(false), StageFiles.Mask);
        var landmarks = await context.ReadRequiredJsonAsync<LandmarksDocument>(StageFiles.From(PipelineStage.Preprocess, StageFiles.Landmarks)).ConfigureAwait(false);
        var cameraJson = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.Preprocess, StageFiles.Camera)).ConfigureAwait(false);
        CameraSet cameraSet;
        try
        {
            cameraSet = CameraSet.FromJson(cameraJson.ToString());
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            throw new StageInputException("input-invalid", $"preprocess/{StageFiles.Camera} is not a camera file: {e.Message}", e);
        }
        if (landmarks.Points.Count != 68 || crop.Width != mask.Width || crop.Height != mask.Height || cameraSet.Cameras.Count == 0)
            throw new StageInputException("input-invalid", "The preprocessed crop, mask, landmarks and camera do not fit together.");
        var points = landmarks.InterleavedAtHalfPixelCentres();
        var dense = await ReadDenseLandmarksAsync(context, crop.Width, crop.Height).ConfigureAwait(false);
        return new ShapePriorInput(crop, mask, points, cameraSet.Cameras[0].Intrinsics.FovYDegrees)
        {
            DenseLandmarks = dense?.Points,
            DenseLandmarkBackend = dense?.Backend,
        };
    }

    /// <summary>
    /// <c>preprocess/dense-landmarks.json</c> as x/y/z interleaved with pixel centres at +0.5, or null when the
    /// preprocessing wrote none (FaceMesh off, missing or rejecting the face: the 68 landmarks are fitted then).
    /// </summary>
    private static async Task<(float[] Points, string Backend)?> ReadDenseLandmarksAsync(StageJobContext context, int width, int height)
    {
        var name = StageFiles.From(PipelineStage.Preprocess, StageFiles.DenseLandmarks);
        if (!context.Request.Inputs.ContainsKey(name)) return null;
        var document = await context.ReadRequiredJsonAsync<DenseLandmarksDocument>(name).ConfigureAwait(false);
        if (document.Points is not { Count: 468 or 478 } || document.Points.Any(p => p is not { Length: 3 }) || document.Width != width || document.Height != height)
            throw new StageInputException("input-invalid", $"preprocess/{StageFiles.DenseLandmarks} does not hold 468 or 478 [x, y, z] points for the {width}x{height} crop.");
        double shift = 0.5 - document.PixelCentre;
        var points = document.Points.SelectMany(p => new[] { (float)(p[0] + shift), (float)(p[1] + shift), p[2] }).ToArray();
        return (points, document.Backend);
    }

    private static FlameFitDocument Document(ShapePriorResult result, HeadModel head, int viewCount)
    {
        var fit = result.Head;
        var data = head.Data;
        var (yaw, pitch, roll) = fit.Pose.AnglesDegrees();
        var c = result.Colours;
        return new FlameFitDocument(
            new HeadModelReference(data.Name, head.Source, head.BuiltIn ? StageFiles.HeadModel : null, data.VertexCount, data.FaceCount,
                data.ShapeCount, data.ExpressionCount, data.LandmarkCount, data.UvCoords is not null && data.UvFaces is not null),
            fit.Shape, fit.Expression, [0, 0, 0], [0, 0, 0], fit.Jaw, result.Eyes.Length == 6 ? result.Eyes : new float[6], [0, 0, 0],
            StageFiles.VertexOffsets, StageFiles.HeadMesh, result.Texture is null ? null : StageFiles.Texture,
            fit.ReferenceCamera,
            new HeadPoseDocument(fit.Pose.Rotation, fit.Pose.Translation, yaw, pitch, roll),
            new OrbitDocument([result.OrbitPivot.X, result.OrbitPivot.Y, result.OrbitPivot.Z], [0, 1, 0], viewCount, 360.0 / viewCount),
            fit.LandmarkRmsPixels,
            Enumerable.Range(0, 68).Select(i => float.IsNaN(fit.FittedLandmarks[2 * i]) ? null : new[] { fit.FittedLandmarks[2 * i], fit.FittedLandmarks[2 * i + 1] }).ToArray(),
            c is null ? null : new HeadColoursDocument([c.Skin.X, c.Skin.Y, c.Skin.Z], [c.Hair.X, c.Hair.Y, c.Hair.Z], c.HairVariation, [c.Neck.X, c.Neck.Y, c.Neck.Z], c.HairFound, c.SidesAreHair),
            result.Backend,
            result.LandmarkFit);
    }

    private static byte[] Floats(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }
}
