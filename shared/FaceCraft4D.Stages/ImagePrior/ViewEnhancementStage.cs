using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Stages.Preprocess;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary>
/// The work of stages 3 and 4 for one view: read the shape prior's coarse view, depth and cameras, build the
/// anchors (the reference portrait over white at render size with view 0's depth, and its mirror image when
/// <c>DepthWarpOptions.MirroredReference</c> is on; for stage 4 also the enhanced back view with the back view's depth), warp them into the view (<see cref="DepthWarper"/>), run the requested
/// image-prior backend and write the enhanced view, the warp and its masks.
/// </summary>
public sealed class ViewEnhancementStage(ViewEnhancers enhancers, IOptions<ImagePriorStageOptions> options)
{
    /// <summary>Whether the warp's facing gate on the reference anchor is on (<c>DepthWarpOptions.AnchorFacingMin</c> >= 0).</summary>
    public bool FacingGateOn => options.Value.Warp.AnchorFacingMin >= 0;

    /// <summary>Whether the portrait is also warped as its mirror image (<c>DepthWarpOptions.MirroredReference</c>, s25).</summary>
    public bool MirroredReferenceOn => options.Value.Warp.MirroredReference;

    /// <summary>Whether the <c>warp</c> backend shades the coarse view where the warp does not cover the head (<c>WarpBlendOptions.ShadeUncovered</c>, s28).</summary>
    public bool ShadeUncoveredOn => options.Value.Blend.ShadeUncovered;

    /// <summary>
    /// The implementation version of the enhance stages under these switches: 2 (all off, the default), 3 the facing gate
    /// on (s23), plus 2 with the mirrored reference anchor (s25), plus 4 with the shaded uncovered strip (s28), so no
    /// checkpoint crosses a switch.
    /// </summary>
    public int ImplementationVersion => (FacingGateOn ? 3 : 2) + (MirroredReferenceOn ? 2 : 0) + (ShadeUncoveredOn ? 4 : 0);

    /// <summary>Runs the work item; <paramref name="withBackAnchor"/> is false for the back view itself.</summary>
    public async Task<StageResult> ExecuteAsync(StageJobContext context, bool withBackAnchor)
    {
        var request = context.Request;
        var settings = request.Settings;
        var ct = context.CancellationToken;
        var enhancer = enhancers.Get(settings.ImagePriorBackend);
        int view;
        try
        {
            view = request.IntParameter("view");
        }
        catch (ArgumentException e)
        {
            throw new StageInputException("input-invalid", e.Message, e);
        }
        context.Progress.Report(new JobProgress(0, 3, $"reading view {view}"));

        var cameras = await ReadCamerasAsync(context).ConfigureAwait(false);
        int back = settings.BackViewIndex;
        if (view < 0 || view >= cameras.Count || cameras.Count != settings.ViewCount)
            throw new StageInputException("input-invalid", $"View {view} is not among the shape prior's {cameras.Count} views (ViewCount {settings.ViewCount}).");
        if (withBackAnchor && (view == 0 || view == back))
            throw new StageInputException("input-invalid", $"View {view} is an anchor (reference 0, back {back}), not a view to enhance.");

        var portrait = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.Preprocess, StageFiles.CropWhite)).ConfigureAwait(false), StageFiles.CropWhite);
        var portraitMask = StageImageCodec.ReadMask(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.Preprocess, StageFiles.Mask)).ConfigureAwait(false), StageFiles.Mask);
        // The face region only feeds the warp's facing gate: not read or rasterised while the gate is off (the default).
        var faceRegion = FacingGateOn
            ? (await ReadFaceRegionAsync(context, portrait.Width, portrait.Height).ConfigureAwait(false)).Resize(cameras[0].Width, cameras[0].Height)
            : null;
        var reference = new AnchorView("reference", portrait.Resize(cameras[0].Width, cameras[0].Height),
            await ReadDepthAsync(context, 0, cameras[0]).ConfigureAwait(false), cameras[0], portraitMask.Resize(cameras[0].Width, cameras[0].Height),
            faceRegion);
        var anchors = new List<AnchorView> { reference };
        if (MirroredReferenceOn) anchors.Add(MirroredAnchor.Of(reference, options.Value.Warp.MirroredReferenceMarginDegrees));
        if (withBackAnchor)
        {
            var backImage = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.EnhanceBackView, StageFiles.Image)).ConfigureAwait(false), StageFiles.Image);
            anchors.Add(new AnchorView("back", backImage, await ReadDepthAsync(context, back, cameras[back]).ConfigureAwait(false), cameras[back]));
        }
        var camera = cameras[view];
        var coarse = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, StageFiles.ViewImage(view))).ConfigureAwait(false), StageFiles.ViewImage(view));
        var coarseMask = StageImageCodec.ReadMask(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, StageFiles.ViewMask(view))).ConfigureAwait(false), StageFiles.ViewMask(view));
        var depth = await ReadDepthAsync(context, view, camera).ConfigureAwait(false);
        if (coarse.Width != camera.Width || coarse.Height != camera.Height || anchors.Any(a => a.Image.Width != a.Camera.Width))
            throw new StageInputException("input-invalid", "The shape prior's images do not match its cameras.");

        context.Progress.Report(new JobProgress(1, 3, $"warping {anchors.Count} anchor(s) into view {view}"));
        var warped = new DepthWarper(options.Value.Warp).Warp(anchors, camera, depth);
        context.Progress.Report(new JobProgress(2, 3, $"enhancing view {view} ({enhancer.Name})"));
        var enhanced = await enhancer.EnhanceAsync(
            new ViewEnhancementInput(view, reference, anchors, camera, coarse, depth, coarseMask, warped,
                settings.DiffusionSteps, settings.DiffusionStrength, settings.Seed + view),
            ct).ConfigureAwait(false);

        var outputs = new Dictionary<string, BlobRef>();
        async Task Write(string name, BinaryData data, string type) => outputs[name] = await context.WriteOutputAsync(name, data, type).ConfigureAwait(false);
        await Write(StageFiles.Image, StageImageCodec.Png(enhanced.Image), StageImageCodec.PngContentType).ConfigureAwait(false);
        await Write(StageFiles.Warped, StageImageCodec.Png(warped.Image), StageImageCodec.PngContentType).ConfigureAwait(false);
        await Write(StageFiles.SoftMask, StageImageCodec.Png(warped.SoftMask), StageImageCodec.PngContentType).ConfigureAwait(false);
        await Write(StageFiles.LatentMask, StageImageCodec.Png(warped.LatentMask), StageImageCodec.PngContentType).ConfigureAwait(false);
        var counts = anchors.Select((_, i) => warped.Source.Count(s => s == i)).ToArray();
        var report = new ViewReport(view, camera, StageFiles.ViewDepth(view), anchors.Select(a => a.Name).ToArray(), counts, enhanced.Backend, enhanced.Metrics);
        outputs[StageFiles.ViewReport] = await context.WriteJsonOutputAsync(StageFiles.ViewReport, report).ConfigureAwait(false);
        context.Progress.Report(new JobProgress(3, 3, "done"));
        var metrics = enhanced.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
        for (int i = 0; i < anchors.Count; i++) metrics[$"pixels_from_{anchors[i].Name}"] = counts[i];
        return new StageResult(outputs, enhanced.Backend, context.WorkerVersion, metrics);
    }

    private static async Task<IReadOnlyList<Camera>> ReadCamerasAsync(StageJobContext context)
    {
        var json = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, StageFiles.Views)).ConfigureAwait(false);
        try
        {
            return CameraSet.FromJson(json.ToString()).Cameras;
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            throw new StageInputException("input-invalid", $"shape-prior/{StageFiles.Views} is not a camera file: {e.Message}", e);
        }
    }

    /// <summary>
    /// The portrait's face in front of the jaw contour (<see cref="FaceOutline"/> of <c>preprocess/landmarks.json</c>) at the
    /// crop's resolution: the reference anchor's pixels that the warp's facing gate leaves ungated.
    /// </summary>
    private static async Task<FloatImage> ReadFaceRegionAsync(StageJobContext context, int width, int height)
    {
        var landmarks = await context.ReadRequiredJsonAsync<LandmarksDocument>(StageFiles.From(PipelineStage.Preprocess, StageFiles.Landmarks)).ConfigureAwait(false);
        if (landmarks.Points is not { Count: 68 } || landmarks.Points.Any(p => p is not { Length: >= 2 }) || landmarks.Width != width || landmarks.Height != height)
            throw new StageInputException("input-invalid", $"preprocess/{StageFiles.Landmarks} does not hold 68 points for the {width}x{height} crop.");
        return FaceOutline.Rasterize(landmarks.InterleavedAtHalfPixelCentres(), width, height);
    }

    private static async Task<DepthMap> ReadDepthAsync(StageJobContext context, int view, Camera camera)
    {
        var bytes = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, StageFiles.ViewDepth(view))).ConfigureAwait(false);
        try
        {
            return DepthMap.FromRawBytes(bytes.ToMemory().Span, camera.Width, camera.Height);
        }
        catch (InvalidDataException e)
        {
            throw new StageInputException("input-invalid", $"shape-prior/{StageFiles.ViewDepth(view)}: {e.Message}", e);
        }
    }
}
