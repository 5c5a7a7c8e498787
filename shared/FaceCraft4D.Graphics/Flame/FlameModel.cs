using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// Differentiable FLAME: identity and expression blendshapes, joints from the regressor on the shaped mesh,
/// pose-corrective blendshapes from (R - I) of joints 1..4, linear blend skinning along the kinematic tree, then the
/// translation (same algorithm as the FLAME / smplx reference <c>lbs</c>). Holds the model arrays on one device.
/// </summary>
public sealed class FlameModel : IDisposable
{
    private readonly Tensor _vTemplate, _dirs, _poseDirs, _jRegressor, _weights, _faces, _lmkFaces, _lmkBary;
    private readonly long[] _parents;

    /// <summary>Copies the model arrays to <paramref name="device"/> in <paramref name="dtype"/>.</summary>
    public FlameModel(FlameModelData data, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.Validate();
        Device = device ?? torch.CPU;
        DType = dtype;
        Data = data;
        _vTemplate = data.VTemplate.to(dtype, Device).DetachFromDisposeScope();
        _dirs = torch.cat(new[] { data.ShapeDirs, data.ExpressionDirs }, 2).to(dtype, Device).DetachFromDisposeScope();
        _poseDirs = data.PoseDirs.to(dtype, Device).DetachFromDisposeScope();
        _jRegressor = data.JRegressor.to(dtype, Device).DetachFromDisposeScope();
        _weights = data.Weights.to(dtype, Device).DetachFromDisposeScope();
        _faces = data.Faces.to(ScalarType.Int64, Device).DetachFromDisposeScope();
        _lmkFaces = data.LandmarkFaces.to(ScalarType.Int64, Device).DetachFromDisposeScope();
        _lmkBary = data.LandmarkBarycentrics.to(dtype, Device).DetachFromDisposeScope();
        _parents = data.Parents.ToArray();
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

    /// <summary>Evaluates the model for a batch of parameters.</summary>
    public FlameOutput Forward(FlameParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        using var scope = torch.NewDisposeScope();
        long b = p.BatchSize, v = VertexCount;
        var betas = torch.cat(new[] { Pad(p.Shape, ShapeCount, "shape"), Pad(p.Expression, ExpressionCount, "expression") }, 1); // [B, S+E]
        long l = betas.shape[1];
        var offsets = torch.matmul(_dirs.view(v * 3, l), betas.t()).t().view(b, v, 3);
        var shaped = _vTemplate.unsqueeze(0) + offsets; // [B, V, 3]
        var joints = torch.matmul(_jRegressor.unsqueeze(0), shaped); // [B, J, 3]

        var rot = Rotations.AxisAngleToMatrix(p.FullPose().view(b, FlameModelData.JointCount, 3)); // [B, J, 3, 3]
        var eye = torch.eye(3, dtype: DType, device: Device);
        var poseFeature = (rot.narrow(1, 1, FlameModelData.JointCount - 1) - eye).reshape(b, -1); // [B, 36]
        var posed = shaped + torch.matmul(poseFeature, _poseDirs).view(b, v, 3);

        var (posedJoints, rel) = RigidTransforms(rot, joints); // [B,J,3], [B,J,4,4]
        var t = torch.matmul(_weights.unsqueeze(0), rel.view(b, FlameModelData.JointCount, 16)).view(b, v, 4, 4);
        var verts = torch.matmul(t.narrow(2, 0, 3).narrow(3, 0, 3), posed.unsqueeze(-1)).squeeze(-1) + t.narrow(2, 0, 3).select(3, 3);
        var trans = p.Translation.unsqueeze(1);
        verts = verts + trans;
        posedJoints = posedJoints + trans;

        var landmarks = Landmarks(verts);
        return new FlameOutput
        {
            Vertices = verts.MoveToOuterDisposeScope(),
            Joints = posedJoints.MoveToOuterDisposeScope(),
            Landmarks = landmarks.MoveToOuterDisposeScope(),
            ShapedVertices = shaped.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>Landmarks [B, L, 3] of vertices [B, V, 3] by the barycentric embedding.</summary>
    public Tensor Landmarks(Tensor vertices)
    {
        using var scope = torch.NewDisposeScope();
        long b = vertices.shape[0], lm = _lmkFaces.shape[0];
        var tri = _faces.index_select(0, _lmkFaces).flatten(); // [L*3]
        var corners = vertices.index_select(1, tri).view(b, lm, 3, 3); // [B, L, 3 corners, 3]
        return (corners * _lmkBary.view(1, lm, 3, 1)).sum(2).MoveToOuterDisposeScope();
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
        foreach (var t in new[] { _vTemplate, _dirs, _poseDirs, _jRegressor, _weights, _faces, _lmkFaces, _lmkBary }) t.Dispose();
    }
}
