using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// Differentiable FLAME: identity and expression blendshapes, joints from the regressor on the shaped mesh,
/// pose-corrective blendshapes from (R - I) of joints 1..4, linear blend skinning along the kinematic tree, then the
/// translation (same algorithm as the FLAME / smplx reference <c>lbs</c>). Holds the model arrays on one device.
/// </summary>
public sealed class FlameModel : IDisposable
{
    private readonly Tensor _vTemplate, _dirs, _poseDirs, _jRegressor, _weights, _faces, _lmkFaces, _lmkBary;
    private readonly Tensor? _dynFaces, _dynBary;
    private readonly long[] _parents;

    /// <summary>Copies the model arrays to <paramref name="device"/> in <paramref name="dtype"/>; landmarks start with the
    /// dynamic face contour when the model has one and <paramref name="useFaceContour"/> (FLAME_PyTorch's default).</summary>
    public FlameModel(FlameModelData data, Device? device = null, ScalarType dtype = ScalarType.Float32, bool useFaceContour = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.Validate();
        Device = device ?? torch.CPU;
        DType = dtype;
        Data = data;
        _vTemplate = data.VTemplate.to(dtype, Device).DetachFromDisposeScope();
        _dirs = torch.cat(new[] { data.ShapeDirs, data.ExpressionDirs }, 2).to(dtype, Device, disposeAfter: true).DetachFromDisposeScope();
        _poseDirs = data.PoseDirs.to(dtype, Device).DetachFromDisposeScope();
        _jRegressor = data.JRegressor.to(dtype, Device).DetachFromDisposeScope();
        _weights = data.Weights.to(dtype, Device).DetachFromDisposeScope();
        _faces = data.Faces.to(ScalarType.Int64, Device).DetachFromDisposeScope();
        _lmkFaces = data.LandmarkFaces.to(ScalarType.Int64, Device).DetachFromDisposeScope();
        _lmkBary = data.LandmarkBarycentrics.to(dtype, Device).DetachFromDisposeScope();
        _parents = data.Parents.ToArray();
        if (useFaceContour && data.DynamicLandmarkFaces is not null && data.DynamicLandmarkBarycentrics is not null)
        {
            _dynFaces = data.DynamicLandmarkFaces.to(ScalarType.Int64, Device).DetachFromDisposeScope();
            _dynBary = data.DynamicLandmarkBarycentrics.to(dtype, Device).DetachFromDisposeScope();
        }
    }

    /// <summary>The source arrays (not owned by this instance).</summary>
    public FlameModelData Data { get; }

    /// <summary>Device of the model tensors.</summary>
    public Device Device { get; }

    /// <summary>Floating-point type of the model tensors.</summary>
    public ScalarType DType { get; }

    /// <summary>Vertices V.</summary>
    public int VertexCount => Data.VertexCount;

    /// <summary>Identity components S.</summary>
    public int ShapeCount => Data.ShapeCount;

    /// <summary>Expression components E.</summary>
    public int ExpressionCount => Data.ExpressionCount;

    /// <summary>Triangles [F, 3] (int64) on <see cref="Device"/>.</summary>
    public Tensor Faces => _faces;

    /// <summary>Template vertices [V, 3] on <see cref="Device"/>.</summary>
    public Tensor Template => _vTemplate;

    /// <summary>Neutral parameters (zeros) for a batch.</summary>
    public FlameParameters ZeroParameters(int batch = 1) => FlameParameters.Zeros(batch, ShapeCount, ExpressionCount, Device, DType);

    /// <summary>Landmarks per evaluation: K contour (when used) + the static ones.</summary>
    public int LandmarkCount => Data.LandmarkCount + (UsesFaceContour ? (int)_dynFaces!.shape[1] : 0);

    /// <summary>Whether landmarks start with FLAME's dynamic face contour (the model has one and it was not switched off).</summary>
    public bool UsesFaceContour => _dynFaces is not null;

    /// <summary>Evaluates the model for a batch of parameters.</summary>
    public FlameOutput Forward(FlameParameters p)
    {
        using var scope = torch.NewDisposeScope();
        var e = Evaluate(p);
        var joints = e.PosedJoints.Plus(p.Translation.to(DType, Device).unsqueeze(1));
        return new FlameOutput
        {
            Vertices = e.Vertices.MoveToOuterDisposeScope(),
            Joints = joints.MoveToOuterDisposeScope(),
            Landmarks = e.Landmarks.MoveToOuterDisposeScope(),
            ShapedVertices = e.ShapedVertices.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>
    /// Evaluates the model and keeps every intermediate, in the order and arithmetic of smplx <c>lbs</c> and FLAME_PyTorch's
    /// forward: blend shapes, joint regression, Rodrigues, pose correctives, rigid chain, skinning with homogeneous
    /// coordinates, the translation, then the landmarks (dynamic contour first).
    /// </summary>
    public FlameEvaluation Evaluate(FlameParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        using var scope = torch.NewDisposeScope();
        long b = p.BatchSize, v = VertexCount;
        int j = FlameModelData.JointCount;
        var betas = torch.cat(new[] { Pad(p.Shape, ShapeCount, "shape"), Pad(p.Expression, ExpressionCount, "expression") }, 1); // [B, S+E]
        long l = betas.shape[1];
        var shapeOffsets = torch.matmul(betas, _dirs.view(v * 3, l).t()).view(b, v, 3);
        var shaped = _vTemplate.unsqueeze(0).Plus(shapeOffsets); // [B, V, 3]
        var joints = torch.matmul(_jRegressor.unsqueeze(0), shaped); // [B, J, 3]

        var fullPose = p.FullPose().to(DType, Device); // [B, 15]
        var rot = Rotations.AxisAngleToMatrix(fullPose.view(b, j, 3)); // [B, J, 3, 3]
        var eye = torch.eye(3, dtype: DType, device: Device);
        var poseFeature = (rot.narrow(1, 1, j - 1) - eye).reshape(b, -1); // [B, 36]
        var poseOffsets = torch.matmul(poseFeature, _poseDirs).view(b, v, 3);
        var posed = poseOffsets.Plus(shaped);

        var (posedJoints, rel) = RigidTransforms(rot, joints); // [B,J,3], [B,J,4,4]
        var t = torch.matmul(_weights.unsqueeze(0), rel.view(b, j, 16)).view(b, v, 4, 4);
        var homogeneous = torch.cat(new[] { posed, torch.ones(new long[] { b, v, 1 }, DType, Device) }, 2); // [B, V, 4]
        var skinned = torch.matmul(t, homogeneous.unsqueeze(-1)).narrow(2, 0, 3).squeeze(-1); // [B, V, 3]

        var faces = _lmkFaces.unsqueeze(0).expand(b, -1);
        var bary = _lmkBary.unsqueeze(0).expand(b, -1, -1);
        Tensor? yaw = null, row = null, dynFaces = null, dynBary = null;
        if (UsesFaceContour)
        {
            yaw = FlameFaceContour.YawDegrees(fullPose.narrow(1, 0, 3), fullPose.narrow(1, 3, 3));
            row = FlameFaceContour.TableRow(yaw);
            (dynFaces, dynBary) = FlameFaceContour.Select(row, _dynFaces!, _dynBary!);
            faces = torch.cat(new[] { dynFaces, faces }, 1);
            bary = torch.cat(new[] { dynBary, bary }, 1);
        }
        // Landmarks on the translated mesh (FLAME_PyTorch adds transl after; equal while barycentrics sum to 1, and this
        // order is the one the restricted landmark model of the template fit reproduces exactly).
        var trans = p.Translation.to(DType, Device).unsqueeze(1);
        var vertices = skinned.Plus(trans);
        var landmarks = BarycentricPoints(vertices, faces, bary);
        return new FlameEvaluation
        {
            Betas = betas.MoveToOuterDisposeScope(),
            FullPose = fullPose.MoveToOuterDisposeScope(),
            ShapeOffsets = shapeOffsets.MoveToOuterDisposeScope(),
            ShapedVertices = shaped.MoveToOuterDisposeScope(),
            RestJoints = joints.MoveToOuterDisposeScope(),
            Rotations = rot.MoveToOuterDisposeScope(),
            PoseFeature = poseFeature.MoveToOuterDisposeScope(),
            PoseOffsets = poseOffsets.MoveToOuterDisposeScope(),
            PosedRestVertices = posed.MoveToOuterDisposeScope(),
            RelativeTransforms = rel.MoveToOuterDisposeScope(),
            PosedJoints = posedJoints.MoveToOuterDisposeScope(),
            SkinnedVertices = skinned.MoveToOuterDisposeScope(),
            Vertices = vertices.MoveToOuterDisposeScope(),
            Landmarks = landmarks.MoveToOuterDisposeScope(),
            ContourYawDegrees = yaw?.MoveToOuterDisposeScope(),
            ContourTableRow = row?.MoveToOuterDisposeScope(),
            ContourFaces = dynFaces?.MoveToOuterDisposeScope(),
            ContourBarycentrics = dynBary?.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>Static landmarks [B, L, 3] of vertices [B, V, 3] by the barycentric embedding (no contour).</summary>
    public Tensor Landmarks(Tensor vertices)
    {
        using var scope = torch.NewDisposeScope();
        long b = vertices.shape[0];
        return BarycentricPoints(vertices, _lmkFaces.unsqueeze(0).expand(b, -1), _lmkBary.unsqueeze(0).expand(b, -1, -1)).MoveToOuterDisposeScope();
    }

    /// <summary>Points [B, L, 3] on vertices [B, V, 3] at faces [B, L] (int64) with barycentric coordinates [B, L, 3].</summary>
    private Tensor BarycentricPoints(Tensor vertices, Tensor faceIndex, Tensor barycentrics)
    {
        using var scope = torch.NewDisposeScope();
        long b = vertices.shape[0], lm = faceIndex.shape[1], v = vertices.shape[1];
        var corners = _faces.index_select(0, faceIndex.reshape(-1)).view(b, lm * 3); // [B, L*3]
        var flat = corners.Plus(HeldScalarOps.Arange(b, ScalarType.Int64, Device).view(b, 1).Times((long)v));
        var points = vertices.reshape(b * v, 3).index_select(0, flat.reshape(-1)).view(b, lm, 3, 3); // [B, L, 3 corners, 3]
        return (points * barycentrics.unsqueeze(-1)).sum(2).MoveToOuterDisposeScope();
    }

    private Tensor Pad(Tensor coeffs, int count, string what)
    {
        long given = coeffs.shape[1];
        if (given > count) throw new ArgumentException($"{given} {what} coefficients given, the model has {count}.");
        if (given == count) return coeffs.to(DType, Device);
        return torch.cat(new[] { coeffs.to(DType, Device), torch.zeros(new long[] { coeffs.shape[0], count - given }, DType, Device) }, 1);
    }

    private (Tensor Joints, Tensor Relative) RigidTransforms(Tensor rot, Tensor joints)
    {
        long b = rot.shape[0];
        int j = FlameModelData.JointCount;
        var relJoints = new Tensor[j];
        for (int i = 0; i < j; i++)
            relJoints[i] = _parents[i] < 0 ? joints.select(1, i) : joints.select(1, i) - joints.select(1, (int)_parents[i]);
        var bottom = torch.tensor(new double[] { 0, 0, 0, 1 }, DType, Device).view(1, 1, 4).expand(b, 1, 4);
        var chain = new Tensor[j];
        for (int i = 0; i < j; i++)
        {
            var local = torch.cat(new[] { torch.cat(new[] { rot.select(1, i), relJoints[i].unsqueeze(-1) }, 2), bottom }, 1); // [B,4,4]
            chain[i] = _parents[i] < 0 ? local : torch.matmul(chain[_parents[i]], local);
        }
        var transforms = torch.stack(chain, 1); // [B, J, 4, 4]
        var posedJoints = transforms.narrow(2, 0, 3).select(3, 3); // [B, J, 3]
        var jh = torch.cat(new[] { joints, torch.zeros(new long[] { b, j, 1 }, DType, Device) }, 2).unsqueeze(-1); // [B,J,4,1]
        var correction = torch.matmul(transforms, jh); // [B,J,4,1]
        var rel = transforms - torch.nn.functional.pad(correction, new long[] { 3, 0 });
        return (posedJoints, rel);
    }

    /// <summary>Disposes the device copies (not <see cref="Data"/>).</summary>
    public void Dispose()
    {
        foreach (var t in new[] { _vTemplate, _dirs, _poseDirs, _jRegressor, _weights, _faces, _lmkFaces, _lmkBary, _dynFaces, _dynBary }) t?.Dispose();
    }
}
