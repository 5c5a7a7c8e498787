using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

public sealed class FlameModelTests
{
    [Fact]
    public void Procedural_head_is_deterministic_head_sized_and_has_the_FLAME_layout()
    {
        using var a = ProceduralHeadModel.Create();
        using var b = ProceduralHeadModel.Create();
        Assert.True(a.VTemplate.eq(b.VTemplate).all().item<bool>(), "the generator must be deterministic");
        Assert.True(a.Faces.eq(b.Faces).all().item<bool>());
        Assert.InRange(a.VertexCount, 2000, 5000);
        Assert.Equal(new long[] { -1, 0, 1, 1, 1 }, a.Parents);
        Assert.Equal(68, a.LandmarkCount);
        Assert.Equal(10, a.ShapeCount);
        Assert.Equal(10, a.ExpressionCount);
        Assert.Equal(168, a.FaceCount - a.TeethFaceStart!.Value);
        Assert.True(a.Weights.sum(1).Minus(1).abs().max().item<float>() < 1e-5, "skinning weights sum to one");
        Assert.True(a.JRegressor.sum(1).Minus(1).abs().max().item<float>() < 1e-5, "joint regressor rows sum to one");
        Assert.True(a.LandmarkBarycentrics.min().item<float>() >= -1e-6 && a.LandmarkBarycentrics.sum(1).Minus(1).abs().max().item<float>() < 1e-5);
        var lo = a.VTemplate.min(0).values.data<float>().ToArray();
        var hi = a.VTemplate.max(0).values.data<float>().ToArray();
        Assert.InRange(hi[0] - lo[0], 0.14, 0.22); // width with ears
        Assert.InRange(hi[1] - lo[1], 0.25, 0.40); // crown to neck base
        Assert.InRange(hi[2] - lo[2], 0.17, 0.26); // nose to back of the head
        foreach (var mask in new[] { "skull", "jaw", "face", "neck", "left_eyeball", "right_eyeball", "lip_ring_upper", "lip_ring_lower", "teeth_upper", "teeth_lower" })
            Assert.True(a.VertexMasks[mask].numel() > 0, mask);
        Assert.Equal(15, a.VertexMasks["lip_ring_upper"].numel());
        // The landmark layout is iBUG-68: right eye (36-41) on the subject's right (-x), nose tip in front of the eyes.
        using var flame = new FlameModel(a);
        var lm = flame.Forward(flame.ZeroParameters()).Landmarks[0];
        Assert.True(lm[36, 0].item<float>() < 0 && lm[45, 0].item<float>() > 0);
        Assert.True(lm[30, 2].item<float>() > lm[39, 2].item<float>() + 0.01, "nose tip protrudes");
        Assert.True(lm[8, 1].item<float>() < lm[57, 1].item<float>() && lm[57, 1].item<float>() < lm[33, 1].item<float>() && lm[33, 1].item<float>() < lm[27, 1].item<float>(), "chin < lower lip < nose < nose bridge");
    }

    [Fact]
    public void Zero_parameters_reproduce_the_template()
    {
        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data);
        using var scope = torch.NewDisposeScope();
        var o = flame.Forward(flame.ZeroParameters(2));
        Assert.Equal(new long[] { 2, data.VertexCount, 3 }, o.Vertices.shape);
        Assert.True((o.Vertices[1] - data.VTemplate).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Linear_blend_skinning_matches_an_independent_reference()
    {
        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data, dtype: ScalarType.Float64);
        using var scope = torch.NewDisposeScope();
        var rng = new Random(4);
        double[] R(int n, double s) => Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 1) * s).ToArray();
        var shape = R(10, 2); var expr = R(10, 2); var pose = R(15, 0.3); var trans = R(3, 0.05);
        pose[6] = 0.35; // open the jaw
        var p = new FlameParameters
        {
            Shape = torch.tensor(shape, new long[] { 1, 10 }, ScalarType.Float64),
            Expression = torch.tensor(expr, new long[] { 1, 10 }, ScalarType.Float64),
            GlobalRotation = torch.tensor(pose[0..3], new long[] { 1, 3 }, ScalarType.Float64),
            Neck = torch.tensor(pose[3..6], new long[] { 1, 3 }, ScalarType.Float64),
            Jaw = torch.tensor(pose[6..9], new long[] { 1, 3 }, ScalarType.Float64),
            Eyes = torch.tensor(pose[9..15], new long[] { 1, 6 }, ScalarType.Float64),
            Translation = torch.tensor(trans, new long[] { 1, 3 }, ScalarType.Float64),
        };
        var actual = FlameReference.D(flame.Forward(p).Vertices[0]);
        var expected = FlameReference.Vertices(data, shape.Concat(expr).ToArray(), pose, trans);
        double worst = actual.Zip(expected).Max(t => Math.Abs(t.First - t.Second));
        Assert.True(worst < 1e-6, $"max vertex difference {worst}");
        Assert.True(expected.Zip(FlameReference.D(data.VTemplate)).Max(t => Math.Abs(t.First - t.Second)) > 0.01, "the pose must move the mesh");
    }

    [Fact]
    public void Global_rotation_is_rigid_about_the_root_joint()
    {
        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data, dtype: ScalarType.Float64);
        using var scope = torch.NewDisposeScope();
        var rest = flame.Forward(FlameParameters.Zeros(1, 10, 10, dtype: ScalarType.Float64));
        var rotated = flame.Forward(FlameParameters.Zeros(1, 10, 10, dtype: ScalarType.Float64).With(globalRotation: torch.tensor(new[] { 0.0, 0.6, 0.0 }, new long[] { 1, 3 }, ScalarType.Float64)));
        var root = rest.Joints[0, 0];
        var r = torch.tensor(FlameReference.Rodrigues(0, 0.6, 0), new long[] { 3, 3 }, ScalarType.Float64);
        var expected = torch.matmul(rest.Vertices[0] - root, r.t()).Plus(root);
        Assert.True((expected - rotated.Vertices[0]).abs().max().item<double>() < 1e-9);
    }

    [Fact]
    public async Task Model_file_round_trips_and_accepts_the_official_layouts()
    {
        using var data = ProceduralHeadModel.Create();
        using var ms = new MemoryStream();
        await FlameModelFile.SaveAsync(data, ms);
        ms.Position = 0;
        using var back = await FlameModelFile.LoadAsync(ms);
        AssertSameModel(data, back);

        // Official-style layout: shape and expression together in shapedirs, posedirs [V,3,36], uint32-style root parent,
        // int32 faces, [1,68] landmark arrays, float64 arrays.
        using var scope = torch.NewDisposeScope();
        int v = data.VertexCount;
        var f = new InMemorySafeTensors();
        f.Metadata["num_shape_params"] = "10";
        f.Add("v_template", data.VTemplate.to_type(ScalarType.Float64));
        f.Add("shapedirs", torch.cat(new[] { data.ShapeDirs, data.ExpressionDirs }, 2));
        f.Add("posedirs", data.PoseDirs.t().reshape(v, 3, 36));
        f.Add("J_regressor", data.JRegressor);
        f.Add("weights", data.Weights);
        f.Add("kintree_table", torch.tensor(new long[] { 4294967295, 0, 1, 1, 1, 0, 1, 2, 3, 4 }, new long[] { 2, 5 }, ScalarType.Int64));
        f.Add("f", data.Faces.to_type(ScalarType.Int32));
        f.Add("lmk_faces_idx", data.LandmarkFaces.unsqueeze(0));
        f.Add("lmk_b_coords", data.LandmarkBarycentrics.unsqueeze(0).to_type(ScalarType.Float64));
        using var official = FlameModelFile.FromSafetensors(f);
        AssertSameModel(data, official, compareMasks: false);
    }

    [Fact]
    public async Task Teeth_are_added_from_lip_rings_with_168_triangles_bound_to_neck_and_jaw()
    {
        using var plain = ProceduralHeadModel.Create(new ProceduralHeadOptions { AddTeeth = false });
        Assert.Null(plain.TeethFaceStart);
        var upper = plain.VertexMasks["lip_ring_upper"].data<long>().ToArray();
        var lower = plain.VertexMasks["lip_ring_lower"].data<long>().ToArray();
        using var teeth = FlameTeeth.Add(plain, upper, lower);
        Assert.Equal(168, teeth.FaceCount - plain.FaceCount);
        Assert.Equal(120, teeth.VertexCount - plain.VertexCount);
        Assert.Equal(FlameTeeth.FaceCountFor(15), teeth.FaceCount - teeth.TeethFaceStart!.Value);
        var w = teeth.Weights;
        var up = teeth.VertexMasks["teeth_upper"]; var lo = teeth.VertexMasks["teeth_lower"];
        Assert.True(w.index_select(0, up).select(1, (int)FlameJoint.Neck).IsEqualTo(1).all().item<bool>());
        Assert.True(w.index_select(0, lo).select(1, (int)FlameJoint.Jaw).IsEqualTo(1).all().item<bool>());
        Assert.True(teeth.JRegressor.narrow(1, plain.VertexCount, 120).abs().sum().item<float>() == 0, "teeth do not move the joints");

        // A file carrying the lip rings gets teeth on load.
        var file = FlameModelFile.ToSafetensors(plain);
        file.Add("teeth_lip_ring_upper", torch.tensor(upper));
        file.Add("teeth_lip_ring_lower", torch.tensor(lower));
        using var ms = new MemoryStream();
        await file.WriteAsync(ms);
        ms.Position = 0;
        using var loaded = await FlameModelFile.LoadAsync(ms);
        Assert.Equal(teeth.FaceCount, loaded.FaceCount);
        Assert.True((loaded.VTemplate - teeth.VTemplate).abs().max().item<float>() < 1e-7);
    }

    private static void AssertSameModel(FlameModelData a, FlameModelData b, bool compareMasks = true)
    {
        void Same(Tensor x, Tensor y, string what) => Assert.True(x.shape.SequenceEqual(y.shape) && (x.to_type(ScalarType.Float64) - y.to_type(ScalarType.Float64)).abs().max().item<double>() < 1e-6, what);
        Same(a.VTemplate, b.VTemplate, "v_template"); Same(a.ShapeDirs, b.ShapeDirs, "shapedirs"); Same(a.ExpressionDirs, b.ExpressionDirs, "expressiondirs");
        Same(a.PoseDirs, b.PoseDirs, "posedirs"); Same(a.JRegressor, b.JRegressor, "J_regressor"); Same(a.Weights, b.Weights, "weights");
        Same(a.Faces, b.Faces, "f"); Same(a.LandmarkFaces, b.LandmarkFaces, "lmk_faces_idx"); Same(a.LandmarkBarycentrics, b.LandmarkBarycentrics, "lmk_b_coords");
        Assert.Equal(a.Parents, b.Parents);
        if (!compareMasks) return;
        Assert.Equal(a.TeethFaceStart, b.TeethFaceStart);
        Assert.Equal(a.VertexMasks.Keys.OrderBy(k => k), b.VertexMasks.Keys.OrderBy(k => k));
        Same(a.UvCoords!, b.UvCoords!, "vt");
    }
}
