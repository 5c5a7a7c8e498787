using System.Text.Json;
using System.Text.Json.Serialization;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Export;

/// <summary>Description of the rig file pair (avatar_rig.json next to avatar_rig.safetensors).</summary>
public sealed record AvatarRigManifest
{
    /// <summary>Format tag.</summary>
    public string Format { get; init; } = AvatarRigFile.FormatTag;
    /// <summary>Number of Gaussians.</summary>
    public required long GaussianCount { get; init; }
    /// <summary>Highest SH degree stored.</summary>
    public required int ShDegree { get; init; }
    /// <summary>FLAME model identity and sizes.</summary>
    public required FlameRigInfo Flame { get; init; }
    /// <summary>Name of the tensor file.</summary>
    public string Tensors { get; init; } = AvatarRigFile.TensorsFileName;
    /// <summary>Name of the canonical-pose .ply.</summary>
    public string Ply { get; init; } = "avatar.ply";
    /// <summary>Conventions needed to pose the avatar.</summary>
    public IReadOnlyDictionary<string, string> Conventions { get; init; } = AvatarRigFile.ConventionText;
    /// <summary>Tensor keys and meanings.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; init; } = AvatarRigFile.KeyText;
}

/// <summary>FLAME information stored in the rig manifest.</summary>
/// <param name="Model">FLAME model name (e.g. "fc4d-procedural-head" or "flame2023").</param>
/// <param name="VertexCount">Vertices (including teeth).</param>
/// <param name="FaceCount">Triangles (including teeth).</param>
/// <param name="ShapeCount">Identity coefficients stored in flame_shape.</param>
/// <param name="ExpressionCount">Expression components of the model.</param>
/// <param name="TeethFaceStart">First teeth triangle, if any.</param>
public sealed record FlameRigInfo(string Model, int VertexCount, int FaceCount, int ShapeCount, int ExpressionCount, int? TeethFaceStart);

/// <summary>
/// The rig of a <see cref="FlameGaussianAvatar"/>: binding, local attributes and FLAME shape as safetensors
/// (keys in <see cref="KeyText"/>) plus a small JSON manifest. Together with the FLAME model this reproduces the avatar in
/// any pose: Gaussian i follows triangle binding[i].
/// </summary>
public static class AvatarRigFile
{
    /// <summary>Format tag of both files.</summary>
    public const string FormatTag = "fc4d-avatar-rig/1";

    /// <summary>Default tensor file name.</summary>
    public const string TensorsFileName = "avatar_rig.safetensors";

    /// <summary>Default manifest file name.</summary>
    public const string ManifestFileName = "avatar_rig.json";

    /// <summary>Conventions written into the manifest.</summary>
    public static IReadOnlyDictionary<string, string> ConventionText { get; } = new Dictionary<string, string>
    {
        ["world"] = "metres; +y up; the face looks toward +z; +x is the subject's left (FLAME)",
        ["camera"] = "OpenCV (x right, y down, z forward), world-to-camera row-major 4x4, pixel centres at +0.5",
        ["quaternion"] = "w, x, y, z",
        ["triangle_frame"] = "origin at the centroid T; x = normalise(v1 - v0); z = normalise((v1 - v0) x (v2 - v0)); y = z x x; k = (|v1 - v0| + height of v2 over that edge) / 2",
        ["world_from_local"] = "mean = k R local_xyz + T; rotation = R * normalise(local_rotation); scale = k * exp(local_log_scale); opacity = sigmoid(opacity_logit); colour from SH as 3DGS",
        ["flame_pose"] = "FLAME parameters: shape = flame_shape, expression/pose per frame (global, neck, jaw, left eye, right eye axis-angle), translation",
    };

    /// <summary>Tensor keys written into the manifest.</summary>
    public static IReadOnlyDictionary<string, string> KeyText { get; } = new Dictionary<string, string>
    {
        ["binding"] = "[N] int64 parent triangle of each Gaussian",
        ["local_xyz"] = "[N,3] float32 position in triangle units",
        ["local_rotation"] = "[N,4] float32 unit quaternion in the triangle frame",
        ["local_log_scale"] = "[N,3] float32 log scale in triangle units",
        ["opacity_logit"] = "[N] float32",
        ["sh"] = "[N,K,3] float32 SH coefficients (DC first), 3DGS basis",
        ["flame_shape"] = "[S] float32 FLAME identity coefficients",
        ["faces"] = "[F,3] int64 FLAME triangles (with teeth when present)",
        ["canonical_vertices"] = "[V,3] float32 FLAME mesh in the canonical pose (shape applied)",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Builds the tensor file and manifest of an avatar.</summary>
    public static (InMemorySafeTensors Tensors, AvatarRigManifest Manifest) Build(FlameGaussianAvatar avatar)
    {
        var p = avatar.Parameters;
        var file = new InMemorySafeTensors();
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            file.Add("binding", p.Binding!.to_type(ScalarType.Int64));
            file.Add("local_xyz", p.Positions.to_type(ScalarType.Float32));
            file.Add("local_rotation", p.UnitRotations().to_type(ScalarType.Float32));
            file.Add("local_log_scale", p.LogScales.to_type(ScalarType.Float32));
            file.Add("opacity_logit", p.OpacityLogits.to_type(ScalarType.Float32));
            file.Add("sh", p.ShCoefficients().to_type(ScalarType.Float32));
            file.Add("flame_shape", avatar.Shape.reshape(-1).to_type(ScalarType.Float32));
            file.Add("faces", avatar.Flame.Faces);
            file.Add("canonical_vertices", avatar.Vertices().to_type(ScalarType.Float32));
        }
        file.Metadata["format"] = FormatTag;
        var data = avatar.Flame.Data;
        var manifest = new AvatarRigManifest
        {
            GaussianCount = p.Count,
            ShDegree = p.MaxShDegree,
            Flame = new FlameRigInfo(data.Name, data.VertexCount, data.FaceCount, (int)avatar.Shape.shape[1], data.ExpressionCount, data.TeethFaceStart),
        };
        return (file, manifest);
    }

    /// <summary>Writes the tensor file and the manifest.</summary>
    public static async Task WriteAsync(FlameGaussianAvatar avatar, Stream tensors, Stream manifest, CancellationToken cancellationToken = default)
    {
        var (file, m) = Build(avatar);
        await file.WriteAsync(tensors, cancellationToken).ConfigureAwait(false);
        await JsonSerializer.SerializeAsync(manifest, m, Json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rebuilds a trainable <see cref="FlameGaussianAvatar"/> from a rig tensor file (e.g. to continue with COIN training
    /// after the static stage, or to pose an exported avatar). The FLAME model must be the one the rig was made with.
    /// </summary>
    public static async Task<FlameGaussianAvatar> ReadAvatarAsync(Stream tensors, Flame.FlameModel flame, CancellationToken cancellationToken = default)
    {
        var file = await InMemorySafeTensors.ReadAsync(tensors, cancellationToken).ConfigureAwait(false);
        if (!file.Metadata.TryGetValue("format", out var fmt) || fmt != FormatTag) throw new InvalidDataException($"Not a {FormatTag} tensor file.");
        var faces = file["faces"];
        if (faces.Shape[0] != flame.Faces.shape[0]) throw new InvalidDataException($"Rig has {faces.Shape[0]} triangles, the FLAME model {flame.Faces.shape[0]}.");
        using var scope = torch.NewDisposeScope();
        var dev = flame.Device;
        var dtype = flame.DType;
        var sh = file.GetTorch("sh", dev, dtype);
        int k = (int)sh.shape[1];
        int degree = (int)Math.Round(Math.Sqrt(k)) - 1;
        if ((degree + 1) * (degree + 1) != k) throw new InvalidDataException($"sh has {k} coefficients, not a square number.");
        var parameters = new GaussianParameters(
            file.GetTorch("local_xyz", dev, dtype), file.GetTorch("local_log_scale", dev, dtype), file.GetTorch("local_rotation", dev, dtype),
            file.GetTorch("opacity_logit", dev, dtype), sh.narrow(1, 0, 1), sh.narrow(1, 1, k - 1), degree,
            file.GetTorch("binding", dev, ScalarType.Int64)) { ActiveShDegree = degree };
        return new FlameGaussianAvatar(flame, parameters, file.GetTorch("flame_shape", dev, dtype).view(1, -1));
    }

    /// <summary>Reads a manifest.</summary>
    public static async Task<AvatarRigManifest> ReadManifestAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var m = await JsonSerializer.DeserializeAsync<AvatarRigManifest>(stream, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException("Empty rig manifest.");
        if (m.Format != FormatTag) throw new InvalidDataException($"Rig manifest format '{m.Format}' is not {FormatTag}.");
        return m;
    }
}
