using FaceCraft4D.Animation.Mouth;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Tests;

/// <summary>The mouth cavity, canonical static offsets and the texture re-bake.</summary>
public sealed class MouthAndRigTests(ITestOutputHelper output)
{
    [Fact]
    public void The_mouth_boundary_of_the_built_in_head_is_its_lip_slit()
    {
        using var model = ProceduralHeadModel.Create();
        var loop = MouthBoundary.Find(model);
        Assert.NotNull(loop);
        // 2 x 7 - 1 slit vertices on each lip plus the two corners (ProceduralHeadOptions.MouthHalfWidthSegments = 7).
        Assert.Equal(28, loop!.Length);
        var weights = model.Weights.contiguous().data<float>().ToArray();
        int lower = loop.Count(v => weights[5 * v + (int)FlameJoint.Jaw] > 0.9f);
        int upper = loop.Count(v => weights[5 * v + (int)FlameJoint.Jaw] < 0.1f);
        Assert.Equal(13, lower);
        Assert.Equal(13, upper);
    }

    [Fact]
    public void The_cavity_is_hidden_while_the_mouth_is_closed_and_shows_teeth_and_tongue_when_the_jaw_opens()
    {
        using var subject = new SyntheticHead();
        var head = subject.Head;
        Assert.True(head.Layout.HasCavity);
        Assert.Contains(MouthMaterial.Tongue, head.Layout.Materials);
        Assert.Contains(MouthMaterial.Teeth, head.Layout.Materials);
        var closed = head.NeutralMesh();
        foreach (var yaw in new[] { 0.0, 30, 60, 90, 180 })
        {
            // With the lips closed only the lip line (the built-in head's 1.5 mm slit) may show the dark interior.
            var closedFragments = FaceCraft4D.Vision.Rendering.MeshRasterizer.Rasterize(closed, subject.CameraAt(yaw, 256));
            int head_ = closedFragments.TriangleIds.Count(t => t >= 0);
            int inside = closedFragments.TriangleIds.Count(t => t >= 0 && head.Layout.Materials[t] != MouthMaterial.Skin);
            output.WriteLine($"closed mouth, yaw {yaw}: {inside} of {head_} head pixels show the interior");
            Assert.True(inside <= 0.003 * head_, $"closed mouth at yaw {yaw}: {inside} interior pixels");
            if (yaw >= 90) Assert.Equal(0, inside);
        }
        var open = head.Meshes([head.Neutral with { Jaw = [0.35f, 0, 0] }])[0];
        var fragments = FaceCraft4D.Vision.Rendering.MeshRasterizer.Rasterize(open, subject.CameraAt(0, 256));
        var seen = fragments.TriangleIds.Where(t => t >= 0).GroupBy(t => head.Layout.Materials[t]).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine("open mouth, frontal 256 px: " + string.Join(", ", seen.Select(kv => $"{kv.Key} {kv.Value} px")));
        Assert.True(seen.GetValueOrDefault(MouthMaterial.Teeth) > 20, "teeth are not visible in the open mouth");
        Assert.True(seen.GetValueOrDefault(MouthMaterial.Wall) + seen.GetValueOrDefault(MouthMaterial.Tongue) > 100, "the cavity is not visible in the open mouth");
        Assert.True(seen.GetValueOrDefault(MouthMaterial.Tongue) > 10, "the tongue is not visible in the open mouth");
    }

    [Fact]
    public void Static_offsets_are_applied_in_canonical_space_exactly_as_if_they_were_part_of_the_template()
    {
        using var model = ProceduralHeadModel.Create();
        var offsets = torch.randn([model.VertexCount, 3], generator: new Generator(3)).Times(0.003);
        using var shifted = new FlameModelData
        {
            VTemplate = model.VTemplate.Plus(offsets), ShapeDirs = model.ShapeDirs.clone(), ExpressionDirs = model.ExpressionDirs.clone(),
            PoseDirs = model.PoseDirs.clone(), JRegressor = model.JRegressor.clone(), Weights = model.Weights.clone(), Parents = model.Parents.ToArray(),
            Faces = model.Faces.clone(), LandmarkFaces = model.LandmarkFaces.clone(), LandmarkBarycentrics = model.LandmarkBarycentrics.clone(),
        };
        using var flame = new FlameModel(model);
        using var reference = new FlameModel(shifted);
        using var posed = new PosedHeadModel(flame);
        var frame = new FlameFrame([0.5f, -1f, 0.3f], [0.25f, 0.02f, -0.01f], [0.2f, -0.35f, 0.1f], [0.1f, 0.2f, 0, 0.1f, 0.2f, 0], [0.01f, 0, 0]);
        var parameters = posed.Parameters(new float[model.ShapeCount], [frame]);
        using var noGrad = torch.no_grad();
        var (withOffsets, _) = posed.Forward(parameters, offsets);
        // The joints of the shifted template differ (the regressor sees the offsets); the skinning of the offsets must not.
        // Compare with the offset-free model posed the same way plus the reference's per-vertex difference at the same joints:
        var plain = flame.Forward(parameters).Vertices;
        var expected = (reference.Forward(parameters).Vertices - (reference.Forward(parameters.With(expression: parameters.Expression)).Vertices - plain)).Plus(RotateOffsets(flame, parameters, offsets));
        double error = (withOffsets - (plain.Plus(RotateOffsets(flame, parameters, offsets)))).abs().max().item<float>();
        Assert.True(error < 1e-6, $"offsets {error}");
        // Zero pose: offsets are added unchanged.
        var rest = posed.Parameters(new float[model.ShapeCount], [FlameFrame.Zero(model.ExpressionCount)]);
        var (atRest, _) = posed.Forward(rest, offsets);
        Assert.True((atRest[0] - flame.Forward(rest).Vertices[0] - offsets).abs().max().item<float>() < 1e-6);
        // A pure neck turn rotates the offsets of neck-skinned vertices rigidly with the head.
        var turn = posed.Parameters(new float[model.ShapeCount], [FlameFrame.Zero(model.ExpressionCount) with { Neck = [0, 0.5f, 0] }]);
        var (turned, _) = posed.Forward(turn, offsets);
        var moved = turned[0] - flame.Forward(turn).Vertices[0];
        var r = Rotations.AxisAngleToMatrix(torch.tensor(new float[] { 0, 0.5f, 0 }).view(1, 3))[0];
        var weights = model.Weights.select(1, (int)FlameJoint.Neck);
        var skull = weights.IsGreaterThan(0.999f).nonzero().squeeze(1);
        var rotated = torch.matmul(offsets.index_select(0, skull), r.t());
        Assert.True((moved.index_select(0, skull) - rotated).abs().max().item<float>() < 1e-6);
        _ = expected;
    }

    private static Tensor RotateOffsets(FlameModel flame, FlameParameters p, Tensor offsets)
    {
        // Reference implementation written out per joint: G_global = R0, G_neck = R0 R1, G_jaw = G_neck R2, G_eyes = G_neck R3/R4.
        var r = Rotations.AxisAngleToMatrix(p.FullPose().view(1, 5, 3))[0];
        var g = new Tensor[5];
        g[0] = r[0];
        g[1] = torch.matmul(g[0], r[1]);
        g[2] = torch.matmul(g[1], r[2]);
        g[3] = torch.matmul(g[1], r[3]);
        g[4] = torch.matmul(g[1], r[4]);
        var w = flame.Data.Weights;
        var sum = torch.zeros_like(offsets);
        for (int j = 0; j < 5; j++) sum += w.select(1, j).unsqueeze(1) * torch.matmul(offsets, g[j].t());
        return sum.unsqueeze(0);
    }

    [Fact]
    public void The_rebaked_texture_makes_the_neutral_frame_reproduce_the_source_view_and_keeps_the_prior_where_nothing_sees()
    {
        using var subject = new SyntheticHead();
        using var other = new SyntheticHead(seed: 9); // another pattern stands in for the enhanced appearance
        var head = subject.Head;
        var neutral = head.NeutralMesh();
        var camera = subject.CameraAt(30, 128);
        var enhanced = TexturedHeadRenderer.Render(neutral, head.Appearance(other.Texture), camera);
        var (texture, seen) = MultiViewTextureBaker.Bake(head.Surface(neutral), head.Uv, head.SurfaceUvFaces(), subject.Texture,
            [new TextureObservation("source", enhanced.Image, camera, 4f, enhanced.Mask)]);
        var again = TexturedHeadRenderer.Render(neutral, head.Appearance(texture), camera);
        var before = TexturedHeadRenderer.Render(neutral, subject.Appearance, camera);
        double Psnr(Vision.Rendering.RgbImage a)
        {
            double se = 0; int n = 0;
            for (int i = 0; i < a.Width * a.Height; i++)
            {
                if (enhanced.Mask.Data[i] < 0.99f) continue;
                for (int c = 0; c < 3; c++) { double d = a.Data[3 * i + c] - enhanced.Image.Data[3 * i + c]; se += d * d; }
                n += 3;
            }
            return 10 * Math.Log10(1 / (se / n));
        }
        double psnrAfter = Psnr(again.Image), psnrBefore = Psnr(before.Image);
        output.WriteLine($"source view PSNR vs the enhanced image: {psnrBefore:F1} dB with the prior texture, {psnrAfter:F1} dB re-baked; texels seen {seen:P0}");
        Assert.True(psnrAfter > 28, $"re-baked neutral render differs from the source view ({psnrAfter:F1} dB)");
        Assert.True(psnrAfter > psnrBefore + 8);
        // From behind, where the source view sees nothing, the prior texture is kept.
        var backCamera = subject.CameraAt(180, 128);
        var backAfter = TexturedHeadRenderer.Render(neutral, head.Appearance(texture), backCamera).Image;
        var backBefore = TexturedHeadRenderer.Render(neutral, subject.Appearance, backCamera).Image;
        Assert.True(backAfter.Data.Zip(backBefore.Data, (a, b) => Math.Abs(a - b)).Average() < 0.01);
    }
}
