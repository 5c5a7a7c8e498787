using System.Globalization;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights;
using FaceCraft4D.Stages.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Export;

/// <summary>
/// Per-frame expression data for the browser viewer (<c>animation/{clip}.safetensors</c>, format <c>fc4d-avatar-animation/1</c>):
/// the frames of every FLAME triangle, from which each Gaussian follows with the rig's local attributes
/// (<c>avatar_rig.safetensors</c>: <c>binding</c>, <c>local_xyz</c>, <c>local_rotation</c>, <c>local_log_scale</c>):
/// <code>
/// t = binding[i];  T = triangle_centers[f, t];  R = matrix(triangle_rotations[f, t]);  k = triangle_scales[f, t]
/// mean = k R local_xyz[i] + T;   rotation = triangle_rotations[f, t] * normalise(local_rotation[i]);   scale = k exp(local_log_scale[i])
/// </code>
/// Tensors: <c>triangle_centers</c> [F, T, 3], <c>triangle_rotations</c> [F, T, 4] (unit quaternions w, x, y, z; columns of R
/// are the frame axes), <c>triangle_scales</c> [F, T] (F16 or F32), and the FLAME parameters that produced them
/// (<c>expression</c> [F, E], <c>jaw</c>, <c>neck</c>, <c>global_rotation</c>, <c>translation</c> [F, 3], <c>eyes</c> [F, 6], F32).
/// Metadata: <c>clip</c>, <c>fps</c>, <c>frames</c>, <c>source</c>, <c>triangles</c>, <c>precision</c>. Opacity and colour do not change
/// with the frame. ~8 numbers per triangle per frame: 10K triangles x 48 frames = 7.8 MB in float16.
/// </summary>
public static class AnimationFile
{
    /// <summary>Format tag.</summary>
    public const string FormatTag = "fc4d-avatar-animation/1";

    /// <summary>How a Gaussian follows its triangle, as written into <c>animation/index.json</c>.</summary>
    public const string FormulaText =
        "t = binding[i]; mean = triangle_scales[f,t] * R(triangle_rotations[f,t]) local_xyz[i] + triangle_centers[f,t]; rotation = triangle_rotations[f,t] * normalise(local_rotation[i]); scale = triangle_scales[f,t] * exp(local_log_scale[i])";

    /// <summary><c>animation/index.json</c> of the clips written for <paramref name="avatar"/> (rig <see cref="ExportFiles.RigTensors"/>).</summary>
    public static AnimationIndexDocument Index(FlameGaussianAvatar avatar, bool halfPrecision, IReadOnlyList<AnimationClipEntry> clips)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        ArgumentNullException.ThrowIfNull(clips);
        return new AnimationIndexDocument(FormatTag, ExportFiles.RigTensors, avatar.Parameters.Count, avatar.Flame.Faces.shape[0],
            halfPrecision ? "float16" : "float32", FormulaText, clips);
    }

    /// <summary>The stored bytes of <c>animation/index.json</c> (contract JSON: camelCase, indented).</summary>
    public static byte[] IndexJson(AnimationIndexDocument index) => BinaryData.FromObjectAsJson(index, ContractJson.Indented).ToArray();

    /// <summary>Builds the file of a clip for an avatar.</summary>
    public static InMemorySafeTensors Build(FlameGaussianAvatar avatar, AnimationClip clip, bool halfPrecision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        ArgumentNullException.ThrowIfNull(clip);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var flame = avatar.Flame;
        var centers = new List<Tensor>();
        var rotations = new List<Tensor>();
        var scales = new List<Tensor>();
        var parameters = new List<FlameParameters>();
        foreach (var frame in clip.Frames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var p = frame.ToParameters(flame, avatar.Shape);
            parameters.Add(p);
            var frames = TriangleFrames.Compute(avatar.Vertices(p), flame.Faces);
            centers.Add(frames.Centers);
            rotations.Add(frames.Quaternions());
            scales.Add(frames.Scales);
        }
        var storage = halfPrecision ? ScalarType.Float16 : ScalarType.Float32;
        Tensor Stack(List<Tensor> list) => torch.stack(list).to_type(storage).cpu();
        Tensor Params(Func<FlameParameters, Tensor> pick) => torch.cat(parameters.Select(pick).ToArray()).to_type(ScalarType.Float32).cpu();
        var file = new InMemorySafeTensors();
        file.Add("triangle_centers", Stack(centers));
        file.Add("triangle_rotations", Stack(rotations));
        file.Add("triangle_scales", Stack(scales));
        file.Add("expression", Params(p => p.Expression));
        file.Add("jaw", Params(p => p.Jaw));
        file.Add("neck", Params(p => p.Neck));
        file.Add("eyes", Params(p => p.Eyes));
        file.Add("global_rotation", Params(p => p.GlobalRotation));
        file.Add("translation", Params(p => p.Translation));
        var inv = CultureInfo.InvariantCulture;
        file.Metadata["format"] = FormatTag;
        file.Metadata["clip"] = clip.Name;
        file.Metadata["fps"] = clip.Fps.ToString("R", inv);
        file.Metadata["frames"] = clip.Frames.Count.ToString(inv);
        file.Metadata["source"] = clip.Source;
        file.Metadata["triangles"] = flame.Faces.shape[0].ToString(inv);
        file.Metadata["precision"] = halfPrecision ? "float16" : "float32";
        file.Metadata["gaussian_from_triangle"] = "mean = k R local_xyz + T; rotation = q_triangle * normalise(local_rotation); scale = k exp(local_log_scale)";
        return file;
    }
}
