using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

public sealed class FlameFaceContourTests
{
    [Fact]
    public void Table_row_rounds_half_to_even_and_takes_both_clamp_branches()
    {
        using var scope = torch.NewDisposeScope();
        var yaw = torch.tensor(new float[] { 0.4f, 0.5f, 1.5f, 2.5f, 38.6f, 39.4f, 75f, -0.5f, -0.6f, -1.5f, -38.6f, -39.4f, -39.6f, -80f });
        var rows = FlameFaceContour.TableRow(yaw).data<long>().ToArray();
        // 0.5 -> 0 and 2.5 -> 2 (half to even); >39 clamps to 39; -39.4 -> a=-39 -> 78; -39.6 -> a=-40 -> 78 (beyond).
        Assert.Equal(new long[] { 0, 0, 2, 2, 39, 39, 39, 0, 40, 41, 78, 78, 78, 78 }, rows);
    }

    [Fact]
    public void Yaw_is_the_head_turn_about_y_of_global_times_neck()
    {
        using var scope = torch.NewDisposeScope();
        double deg = Math.PI / 180;
        // Pure rotations about +y: the angle adds up over the neck chain, and FLAME's y is its negative.
        var global = torch.tensor(new float[] { 0, (float)(10 * deg), 0, 0, (float)(-30 * deg), 0 }, 2, 3);
        var neck = torch.tensor(new float[] { 0, (float)(5 * deg), 0, 0, (float)(-20 * deg), 0 }, 2, 3);
        var y = FlameFaceContour.YawDegrees(global, neck).data<float>().ToArray();
        Assert.Equal(-15, y[0], 3);
        Assert.Equal(50, y[1], 3);
        // A pitch (about x) leaves the yaw at zero.
        var pitch = FlameFaceContour.YawDegrees(torch.tensor(new float[] { 0.3f, 0, 0 }, 1, 3), torch.zeros(1, 3)).data<float>()[0];
        Assert.Equal(0, pitch, 4);
    }

    [Fact]
    public async Task Contour_landmarks_come_first_and_follow_the_row_of_the_head_turn()
    {
        using var head = ProceduralHeadModel.Create();
        using var scope = torch.NewDisposeScope();
        // Contour table: row r uses face r for every one of the K contour points (so the chosen row is visible).
        int k = 17;
        var dynFaces = HeldScalarOps.Arange(FlameFaceContour.TableRows, ScalarType.Int64).view(-1, 1).expand(-1, k).contiguous();
        var dynBary = HeldScalarOps.Hold((1f / 3).ToScalar(), held => torch.full(new long[] { FlameFaceContour.TableRows, k, 3 }, held));
        var file = FlameModelFile.ToSafetensors(head);
        file.Add("dynamic_lmk_faces_idx", dynFaces);
        file.Add("dynamic_lmk_bary_coords", dynBary);
        using var ms = new MemoryStream();
        await file.WriteAsync(ms);
        ms.Position = 0;
        using var withContour = await FlameModelFile.LoadAsync(ms, addTeeth: false);
        Assert.True(withContour.HasFaceContour);

        using var flame = new FlameModel(withContour);
        Assert.Equal(k + head.LandmarkCount, flame.LandmarkCount);
        var p = flame.ZeroParameters(2).With(globalRotation: torch.tensor(new float[] { 0, -0.2f, 0, 0, 0.3f, 0 }, 2, 3));
        var e = flame.Evaluate(p);
        var rows = e.ContourTableRow!.data<long>().ToArray();
        Assert.Equal(new long[] { 11, 39 + 17 }, rows); // -(-0.2 rad) = 11.46 deg; -(0.3 rad) = -17.19 deg -> 39 + 17
        var centroid = e.SkinnedVertices.index_select(1, withContour.Faces[rows[0]]).mean(new long[] { 1 })[0];
        Assert.True((e.Landmarks[0, 0] - centroid).abs().max().item<float>() < 1e-6, "landmark 0 sits on the chosen row's face");
        var statics = flame.Landmarks(e.Vertices);
        Assert.True((e.Landmarks.narrow(1, k, head.LandmarkCount) - statics).abs().max().item<float>() < 1e-6, "static landmarks follow the contour");

        using var plain = new FlameModel(withContour, useFaceContour: false);
        Assert.Equal(head.LandmarkCount, plain.LandmarkCount);
        Assert.Null(plain.Evaluate(p).ContourTableRow);
    }

    [Fact]
    public void Loader_rejects_arrays_the_layout_does_not_name()
    {
        using var head = ProceduralHeadModel.Create();
        using var scope = torch.NewDisposeScope();
        var file = FlameModelFile.ToSafetensors(head);
        file.Add("shapedir", torch.zeros(2, 2));
        var ex = Assert.Throws<InvalidDataException>(() => FlameModelFile.FromSafetensors(file));
        Assert.Contains("shapedir", ex.Message);
    }
}
