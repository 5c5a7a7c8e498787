using System.Diagnostics;
using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// The <c>template</c> shape prior (no downloaded weights): a FLAME-format head (the operator's FLAME, else the
/// built-in procedural head) fitted to the portrait's 68 landmarks, or to its dense FaceMesh landmarks when the input
/// has them and <see cref="TemplateShapePriorOptions.UseDenseLandmarks"/> is on (<see cref="FlameLandmarkFitter"/>;
/// <see cref="ShapePriorResult.LandmarkFit"/> says which), textured by
/// projecting the portrait with symmetry and colour-statistics completion (<see cref="ProjectiveHeadTexture"/>),
/// with the hair region grown to the portrait's silhouette (<see cref="HairVolumeFitter"/>), then rendered to the orbit views (<see cref="OrbitViews"/>) with depth and coverage masks. Holds the model on
/// its device; thread-safe (runs share nothing mutable).
/// </summary>
public sealed class TemplateShapePrior : IShapePrior, IDisposable
{
    /// <summary>Backend name.</summary>
    public const string BackendName = "template";

    private readonly FlameModelData data;
    private readonly FlameModel model;
    private readonly FlameLandmarkModel landmarkModel;
    private readonly TemplateShapePriorOptions options;
    private readonly Lazy<DenseFitTarget> denseWithIrises;
    private readonly Lazy<DenseFitTarget> denseWithoutIrises;

    /// <summary>Creates the prior for a head model (not owned; keep it alive as long as this instance).</summary>
    public TemplateShapePrior(FlameModelData headModel, TemplateShapePriorOptions? options = null)
    {
        data = headModel ?? throw new ArgumentNullException(nameof(headModel));
        this.options = options ?? new TemplateShapePriorOptions();
        var device = torch.device(this.options.Device);
        model = new FlameModel(data, device);
        landmarkModel = new FlameLandmarkModel(data, device);
        // The FaceMesh correspondence is built on first use (a dense input) and kept: it depends on the model only.
        denseWithIrises = new(() => new DenseFitTarget(data, withIrises: true, device), LazyThreadSafetyMode.ExecutionAndPublication);
        denseWithoutIrises = new(() => new DenseFitTarget(data, withIrises: false, device), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc />
    public string Name => BackendName;

    /// <summary>The head model's name (e.g. <c>fc4d-procedural-head</c>).</summary>
    public string ModelName => data.Name;

    /// <inheritdoc />
    public Task<ShapePriorResult> RunAsync(ShapePriorInput input, ShapePriorRequest request, CancellationToken cancellationToken) =>
        Task.Run(() => Run(input, request, cancellationToken), cancellationToken);

    private ShapePriorResult Run(ShapePriorInput input, ShapePriorRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var metrics = new Dictionary<string, double>();
        var intrinsics = CameraIntrinsics.FromVerticalFov(input.Crop.Width, input.Crop.Height, input.FovDegrees);

        var (fit, eyes, landmarkFit, denseRms) = FitHead(input, intrinsics, ct);
        metrics["fit_seconds"] = clock.Elapsed.TotalSeconds;
        metrics["landmark_fit_dense"] = double.IsNaN(denseRms) ? 0 : 1;
        if (!double.IsNaN(denseRms)) metrics["dense_landmark_rms_px"] = denseRms;
        var (bald, landmarks3d) = Pose(fit, eyes);
        var colours = HeadColourStatistics.Measure(input.Crop, input.Mask, input.Landmarks, options.Texture.HairVariationMax);
        var hairEnd = (options.HairLength.Enabled || options.HangingHair.Enabled) && input.Landmarks.Length == 136
            ? PortraitHairLength.Measure(input.Crop, input.Mask, input.Landmarks, colours, options.HairLength)
            : null;
        if (hairEnd is not null)
        {
            metrics["hair_end_found"] = hairEnd.Found ? 1 : 0;
            if (!double.IsNaN(hairEnd.LeftRow)) metrics["hair_end_row_left"] = hairEnd.LeftRow;
            if (!double.IsNaN(hairEnd.RightRow)) metrics["hair_end_row_right"] = hairEnd.RightRow;
        }
        HeadRegions Regions(float[] points)
        {
            var byMouth = new HeadRegions(points, options.Texture, colours.SidesAreHair);
            if (hairEnd is not { Found: true }) return byMouth;
            if (!options.HairLength.Enabled) return byMouth;
            float nape = PortraitHairLength.NapeHeight(hairEnd.Row, input.Landmarks, points, byMouth, options.HairLength);
            metrics["nape_height_by_mouth_m"] = byMouth.NapeHeight;
            metrics["nape_height_m"] = nape;
            return new HeadRegions(points, options.Texture, colours.SidesAreHair, nape);
        }
        var regions = Regions(landmarks3d);
        float[]? templeOffsets = null;
        if (options.TempleNarrowing.Enabled && landmarks3d.Length == 3 * 68)
        {
            var narrowed = TempleNarrowing.Fit(bald, landmarks3d, regions, fit.ReferenceCamera, input.Landmarks, options.Texture.FacingMin, options.TempleNarrowing);
            metrics["temple_narrowing_left"] = narrowed.Left;
            metrics["temple_narrowing_right"] = narrowed.Right;
            metrics["temple_outside_px_before"] = narrowed.OutsideBefore;
            metrics["temple_outside_px_after"] = narrowed.OutsideAfter;
            metrics["temple_points"] = narrowed.Points;
            (bald, landmarks3d, templeOffsets) = (narrowed.Mesh, narrowed.Landmarks, narrowed.Offsets);
            regions = Regions(landmarks3d);
        }
        var pivot = OrbitPivot(bald, landmarks3d);
        double mouthRow = Enumerable.Range(48, 12).Average(i => input.Landmarks[2 * i + 1]);
        var volume = HairVolumeFitter.Fit(bald, regions, new Vector3((float)pivot.X, (float)pivot.Y, (float)pivot.Z),
            fit.ReferenceCamera, input.Mask, mouthRow, options.HairVolume);
        var mesh = volume.Mesh;
        float[]? hangingOffsets = null;
        if (options.HangingHair.Enabled)
        {
            // The shell ends at the portrait's hair end, never below the hair texture's lower edge (the nape line).
            float? end = hairEnd is { Found: true }
                ? Math.Max((float)PortraitHairLength.RowToHeight(hairEnd.Row, input.Landmarks, landmarks3d), regions.NapeHeight)
                : null;
            metrics["hanging_hair"] = end is null ? 0 : 1;
            if (end is { } endHeight)
            {
                var hanging = HangingHairShell.Grow(mesh, regions, new Vector3((float)pivot.X, (float)pivot.Y, (float)pivot.Z), endHeight, options.HangingHair);
                metrics["hanging_hair_end_m"] = endHeight;
                metrics["hanging_hair_vertices"] = hanging.Moved;
                metrics["hanging_hair_max_push_m"] = hanging.MaxPush;
                (mesh, hangingOffsets) = (hanging.Mesh, hanging.Offsets);
            }
        }
        var normals = mesh.VertexNormals();
        metrics["hair_lateral_growth"] = volume.LateralGrowth;
        metrics["hair_vertical_growth"] = volume.VerticalGrowth;
        metrics["silhouette_iou"] = volume.SilhouetteIoU;
        metrics["silhouette_iou_bald"] = volume.InitialIoU;
        ct.ThrowIfCancellationRequested();

        clock.Restart();
        var referenceDepth = MeshRasterizer.Rasterize(mesh, fit.ReferenceCamera, options.Render.Rasterizer).ToDepthMap();
        var outline = options.Texture.FaceOutlineForSkinOnly ? FaceOutline.Rasterize(input.Landmarks, input.Crop.Width, input.Crop.Height) : null;
        var texture = new ProjectiveHeadTexture(input.Crop, input.Mask, fit.ReferenceCamera, referenceDepth, regions, colours, request.Seed, options.Texture, outline);
        float[]? uv = null;
        int[]? uvFaces = null;
        if (data.UvCoords is not null && data.UvFaces is not null)
        {
            using var uvTensor = data.UvCoords.to(ScalarType.Float32).contiguous();
            using var uvFacesTensor = data.UvFaces.to(ScalarType.Int32).contiguous();
            uv = uvTensor.data<float>().ToArray();
            uvFaces = uvFacesTensor.data<int>().ToArray();
        }
        int seen = 0;
        for (int v = 0; v < mesh.VertexCount; v++)
            if (texture.DirectWeight(mesh.Position(v), new Vector3(normals[3 * v], normals[3 * v + 1], normals[3 * v + 2])) > 0.5f) seen++;
        CompletedHeadTexture? completed = null;
        float[] vertexColours;
        RgbImage? atlas = null;
        if (uv is not null && uvFaces is not null && options.Texture.TextureSpaceCompletion)
        {
            int size = Math.Max(16, options.Texture.CompletionSize);
            var surface = TexelSurface.Build(mesh, normals, uv, uvFaces, size, size);
            var completion = HeadTextureCompletion.Complete(surface, texture, regions, colours, options.Texture, request.Seed, ct);
            foreach (var (key, value) in completion.Metrics) metrics[key] = value;
            metrics["hair_synthesised"] = completion.HairSynthesised ? 1 : 0;
            completed = new CompletedHeadTexture(texture, completion.Colour, completion.DirectScale);
            vertexColours = completed.VertexColours(mesh, normals, uv, uvFaces);
            atlas = completed.Bake(mesh, normals, uv, uvFaces, options.Texture.TextureSize);
        }
        else
        {
            vertexColours = new float[mesh.Positions.Length];
            for (int v = 0; v < mesh.VertexCount; v++)
            {
                var c = texture.Colour(mesh.Position(v), new Vector3(normals[3 * v], normals[3 * v + 1], normals[3 * v + 2]));
                vertexColours[3 * v] = c.X;
                vertexColours[3 * v + 1] = c.Y;
                vertexColours[3 * v + 2] = c.Z;
            }
            if (uv is not null && uvFaces is not null)
                atlas = UvTextureBaker.Bake(mesh, normals, uv, uvFaces, texture, options.Texture.TextureSize).Texture;
        }
        metrics["texture_seconds"] = clock.Elapsed.TotalSeconds;
        ct.ThrowIfCancellationRequested();

        clock.Restart();
        var cameras = options.LevelViewsWithinDegrees < 0
            ? OrbitViews.AroundVerticalAxis(fit.ReferenceCamera, pivot, request.ViewCount, request.RenderSize)
            : OrbitViews.AroundVerticalAxis(fit.ReferenceCamera, pivot, request.ViewCount, request.RenderSize,
                options.LevelElevationDegrees, options.LevelViewsWithinDegrees);
        metrics["reference_elevation_deg"] = OrbitViews.ElevationDegrees(fit.ReferenceCamera, pivot);
        metrics["level_views"] = cameras.Skip(1).Count(c => Math.Abs(OrbitViews.ElevationDegrees(c, pivot) - options.LevelElevationDegrees) < 1e-6);
        var views = new List<RenderedView>(cameras.Count);
        foreach (var camera in cameras)
        {
            ct.ThrowIfCancellationRequested();
            views.Add(completed is not null
                ? AtlasViewRenderer.Render(mesh, normals, uv!, uvFaces!, completed, camera, options.Render)
                : MeshViewRenderer.Render(mesh, normals, texture, camera, options.Render));
        }
        metrics["render_seconds"] = clock.Elapsed.TotalSeconds;

        var (yaw, pitch, roll) = fit.Pose.AnglesDegrees();
        metrics["landmark_rms_px"] = fit.LandmarkRmsPixels;
        metrics["yaw_deg"] = yaw;
        metrics["pitch_deg"] = pitch;
        metrics["roll_deg"] = roll;
        metrics["camera_distance_m"] = fit.ReferenceCamera.Position.Length;
        metrics["vertices_seen_fraction"] = (double)seen / mesh.VertexCount;
        var notes = new List<string>();
        if (!colours.HairFound) notes.Add("No hair distinct from the skin was found above the brows; the unseen head is skin-coloured.");
        else if (completed is not null && metrics.GetValueOrDefault("hair_synthesised") < 0.5)
            notes.Add("Too little hair is visible to synthesise the unseen hair from; it is filled smoothly from the visible hair colours.");
        double fitRms = double.IsNaN(denseRms) ? fit.LandmarkRmsPixels : denseRms;
        if (fitRms > 0.05 * FlameLandmarkFitter.InterOcularDistance(input.Landmarks) * 2)
            notes.Add($"The head model fits the {landmarkFit} landmarks loosely ({fitRms:F1} px rms).");
        if (input.DenseLandmarks is null)
            notes.Add("The head was fitted to the 68 landmarks: the preprocessing produced no dense FaceMesh landmarks.");
        return new ShapePriorResult
        {
            Views = views,
            Head = fit,
            Eyes = eyes,
            LandmarkFit = landmarkFit,
            Mesh = mesh,
            VertexOffsets = volume.Offsets.Select((o, k) => o + (templeOffsets?[k] ?? 0) + (hangingOffsets?[k] ?? 0)).ToArray(),
            VertexColours = vertexColours,
            Texture = atlas,
            OrbitPivot = pivot,
            Colours = colours,
            Backend = BackendName,
            Metrics = metrics,
            Notes = notes,
        };
    }

    /// <summary>
    /// The dense fit when the input has FaceMesh landmarks and <see cref="TemplateShapePriorOptions.UseDenseLandmarks"/>
    /// is on, else the 68-point fit. DenseRms: rms reprojection error over the dense points (NaN for the 68-point fit).
    /// </summary>
    private (FittedHead Head, float[] Eyes, string LandmarkFit, double DenseRms) FitHead(ShapePriorInput input, CameraIntrinsics intrinsics, CancellationToken ct)
    {
        var fitter = new FlameLandmarkFitter(options.Fit);
        if (input.DenseLandmarks is { } dense && options.UseDenseLandmarks)
        {
            int count = dense.Length / 3;
            if (dense.Length % 3 != 0 || count is not (468 or 478))
                throw new ArgumentException($"Expected 468 or 478 dense landmarks x 3 values, got {dense.Length} values.", nameof(input));
            var target = count == 478 ? denseWithIrises.Value : denseWithoutIrises.Value;
            var fit = fitter.FitDense(landmarkModel, target, input.Landmarks, dense, intrinsics, ct);
            var errors = fit.DenseErrors(dense);
            double rms = Math.Sqrt(errors.Average(e => e * e));
            return (fit.Head, fit.Eyes, LandmarkFitNames.FaceMesh(count), rms);
        }
        return (fitter.Fit(landmarkModel, input.Landmarks, intrinsics, ct), new float[6], LandmarkFitNames.Ibug68, double.NaN);
    }

    /// <summary>The fitted head's mesh in the model frame and its 3D landmarks (L * 3); <paramref name="eyes"/>: FLAME eye pose (6 values) or null.</summary>
    public (TriangleMesh Mesh, float[] Landmarks) Pose(FittedHead fit, float[]? eyes = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var p = model.ZeroParameters().With(
            shape: torch.tensor(fit.Shape).unsqueeze(0),
            expression: torch.tensor(fit.Expression).unsqueeze(0),
            jaw: torch.tensor(fit.Jaw).unsqueeze(0),
            eyes: eyes is { Length: 6 } ? torch.tensor(eyes).unsqueeze(0) : null);
        var output = model.Forward(p);
        var mesh = TriangleMesh.FromTensors(output.Vertices[0], model.Faces);
        var landmarks = output.Landmarks[0].to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        return (mesh, landmarks);
    }

    /// <summary>Centre of the bounding box of the head above the chin (the neck would pull it down).</summary>
    public static Vector3d OrbitPivot(TriangleMesh mesh, float[] landmarks3d)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(landmarks3d);
        float chin = float.MaxValue;
        for (int i = 1; i < landmarks3d.Length; i += 3) chin = Math.Min(chin, landmarks3d[i]);
        var min = new Vector3(float.MaxValue);
        var max = new Vector3(float.MinValue);
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            var p = mesh.Position(v);
            if (p.Y < chin) continue;
            min = Vector3.Min(min, p);
            max = Vector3.Max(max, p);
        }
        var c = (min + max) / 2;
        return new Vector3d(c.X, c.Y, c.Z);
    }

    /// <summary>Frees the model tensors (not the model data).</summary>
    public void Dispose()
    {
        model.Dispose();
        landmarkModel.Dispose();
        if (denseWithIrises.IsValueCreated) denseWithIrises.Value.Dispose();
        if (denseWithoutIrises.IsValueCreated) denseWithoutIrises.Value.Dispose();
    }
}
