using System.Text.Json;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Parity.Tests.Harness;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.Flame;

/// <summary>
/// <c>flame.lbs</c>: FLAME_PyTorch's <c>FLAME(config)(shape, expression, pose, neck_pose, eye_pose, transl)</c> through
/// the production loader (<see cref="FlameModelFile.LoadAsync(string, bool, CancellationToken)"/>, upstream array names)
/// and <see cref="FlameModel.Evaluate"/>, with every intermediate the case records. <c>landmarks_static</c> comes from a
/// second model built as the case's <c>second_instance_for_landmarks_static</c> says.
/// </summary>
public sealed class FlameLbsParityModule : IParityModule
{
    private static readonly HashSet<string> ConstructorKeys = new(StringComparer.Ordinal)
    {
        "shape_params", "expression_params", "pose_params", "use_face_contour", "use_3D_translation", "batch_size",
    };

    public string Module => "flame.lbs";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = parityCase.Config;
        var ctor = config.GetProperty("constructor_config");
        var settings = FlameSettings.From(ctor);
        var staticSettings = config.TryGetProperty("second_instance_for_landmarks_static", out var second)
            ? settings.With(second)
            : settings with { UseFaceContour = false };

        using var data = await FlameModelFile.LoadAsync(parityCase.WeightsPath, addTeeth: false, cancellationToken);
        CheckDescribedModel(config, data);

        var shape = parityCase.Input("shape_params");
        var expression = parityCase.Input("expression_params");
        var pose = parityCase.Input("pose_params");
        Expect(shape.shape[1] == settings.ShapeParams, $"in.shape_params has {shape.shape[1]} columns, shape_params is {settings.ShapeParams}");
        Expect(expression.shape[1] == settings.ExpressionParams, $"in.expression_params has {expression.shape[1]} columns, expression_params is {settings.ExpressionParams}");
        Expect(shape.shape[0] == settings.BatchSize, $"batch {shape.shape[0]} differs from batch_size {settings.BatchSize}");
        long b = shape.shape[0];
        var translation = settings.UseTranslation ? parityCase.Input("transl") : torch.zeros(b, 3);
        var parameters = new FlameParameters
        {
            Shape = shape,
            Expression = expression,
            GlobalRotation = pose.narrow(1, 0, 3),
            Jaw = pose.narrow(1, 3, 3),
            Neck = parityCase.HasInput("neck_pose") ? parityCase.Input("neck_pose") : torch.zeros(b, 3),
            Eyes = parityCase.HasInput("eye_pose") ? parityCase.Input("eye_pose") : torch.zeros(b, 6),
            Translation = translation,
        };

        var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var flame = new FlameModel(data, useFaceContour: settings.UseFaceContour))
        {
            Expect(!settings.UseFaceContour || flame.UsesFaceContour, "use_face_contour is true but the file has no dynamic_lmk_faces_idx");
            using var scope = torch.NewDisposeScope();
            var e = flame.Evaluate(parameters);
            void Put(string name, Tensor t) => outputs["out." + name] = t.to(ScalarType.Float32).MoveToOuterDisposeScope();
            Put("vertices", e.Vertices);
            Put("landmarks", e.Landmarks);
            Put("betas", e.Betas);
            Put("full_pose", e.FullPose);
            Put("shape_offsets", e.ShapeOffsets);
            Put("v_shaped", e.ShapedVertices);
            Put("J", e.RestJoints);
            Put("rot_mats", e.Rotations);
            Put("pose_feature", e.PoseFeature);
            Put("pose_offsets", e.PoseOffsets);
            Put("v_posed", e.PosedRestVertices);
            Put("A", e.RelativeTransforms);
            Put("J_transformed", e.PosedJoints);
            Put("vertices_no_transl", e.SkinnedVertices);
            if (e.ContourTableRow is not null)
            {
                Put("dyn_lmk_faces_idx", e.ContourFaces!);
                Put("dyn_lmk_bary_coords", e.ContourBarycentrics!);
                Put("dyn_table_row", e.ContourTableRow);
                Put("dyn_y_angle_deg", e.ContourYawDegrees!);
            }
        }
        using (var flameStatic = new FlameModel(data, useFaceContour: staticSettings.UseFaceContour))
        using (var scope = torch.NewDisposeScope())
        {
            var translationStatic = staticSettings.UseTranslation ? translation : torch.zeros(b, 3);
            outputs["out.landmarks_static"] = flameStatic.Forward(parameters.With(translation: translationStatic)).Landmarks.MoveToOuterDisposeScope();
        }
        return outputs;
    }

    /// <summary>The descriptive config fields must agree with the file, so a case never runs against another model than it says.</summary>
    private static void CheckDescribedModel(JsonElement config, FlameModelData data)
    {
        void Int(string key, int actual)
        {
            if (config.TryGetProperty(key, out var v)) Expect(v.GetInt32() == actual, $"{key} {v.GetInt32()} but the file gives {actual}");
        }
        Int("num_vertices", data.VertexCount);
        Int("num_faces", data.FaceCount);
        Int("num_joints", FlameModelData.JointCount);
        Int("shape_space_dim", data.ShapeCount);
        Int("expression_space_dim", data.ExpressionCount);
        Int("shapedirs_total_components", data.ShapeCount + data.ExpressionCount);
        Int("num_static_landmarks", data.LandmarkCount);
        if (data.DynamicLandmarkFaces is not null)
        {
            Int("num_dynamic_landmarks", (int)data.DynamicLandmarkFaces.shape[1]);
            Int("dynamic_table_rows", (int)data.DynamicLandmarkFaces.shape[0]);
        }
        if (config.TryGetProperty("parents", out var parents))
            Expect(parents.EnumerateArray().Select(p => p.GetInt64()).SequenceEqual(data.Parents), "parents differ from the file's kintree_table");
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition) throw new InvalidDataException("flame.lbs: " + message);
    }

    /// <summary>FLAME_PyTorch's constructor settings.</summary>
    private sealed record FlameSettings(int ShapeParams, int ExpressionParams, int PoseParams, bool UseFaceContour, bool UseTranslation, int BatchSize)
    {
        public static FlameSettings From(JsonElement ctor)
        {
            var unknown = ctor.EnumerateObject().Select(p => p.Name).Where(n => !ConstructorKeys.Contains(n)).ToList();
            if (unknown.Count > 0) throw new NotSupportedException($"flame.lbs: unsupported FLAME constructor option(s) {string.Join(", ", unknown)}.");
            var s = new FlameSettings(ctor.GetProperty("shape_params").GetInt32(), ctor.GetProperty("expression_params").GetInt32(),
                ctor.GetProperty("pose_params").GetInt32(), ctor.GetProperty("use_face_contour").GetBoolean(),
                ctor.GetProperty("use_3D_translation").GetBoolean(), ctor.GetProperty("batch_size").GetInt32());
            // FLAME_PyTorch's forward splits pose_params as global (3) + jaw (3); other widths are not an upstream configuration.
            if (s.PoseParams != 6) throw new NotSupportedException($"flame.lbs: pose_params {s.PoseParams} (FLAME's forward takes global + jaw = 6).");
            return s;
        }

        public FlameSettings With(JsonElement overrides)
        {
            var unknown = overrides.EnumerateObject().Select(p => p.Name).Where(n => !ConstructorKeys.Contains(n)).ToList();
            if (unknown.Count > 0) throw new NotSupportedException($"flame.lbs: unsupported FLAME constructor option(s) {string.Join(", ", unknown)}.");
            var s = this;
            foreach (var p in overrides.EnumerateObject())
                s = p.Name switch
                {
                    "shape_params" => s with { ShapeParams = p.Value.GetInt32() },
                    "expression_params" => s with { ExpressionParams = p.Value.GetInt32() },
                    "pose_params" => s with { PoseParams = p.Value.GetInt32() },
                    "use_face_contour" => s with { UseFaceContour = p.Value.GetBoolean() },
                    "use_3D_translation" => s with { UseTranslation = p.Value.GetBoolean() },
                    _ => s with { BatchSize = p.Value.GetInt32() },
                };
            return s;
        }
    }
}
