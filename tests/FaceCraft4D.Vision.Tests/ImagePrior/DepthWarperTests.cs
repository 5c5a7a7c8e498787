using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.Tests.Rendering;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.ImagePrior;

/// <summary>Depth warping on a textured synthetic head rendered from known cameras with exact depth.</summary>
public sealed class DepthWarperTests(ITestOutputHelper output)
{
    private const int Size = 128;

    [Theory]
    [InlineData(0.0, 35.0)]
    [InlineData(20.0, -50.0)]
    [InlineData(0.0, 90.0)]
    public void Warped_anchor_matches_the_true_render_inside_the_mask_and_the_mask_matches_true_visibility(double anchorYaw, double targetYaw)
    {
        var mesh = SyntheticScene.Head;
        var normals = mesh.VertexNormals();
        var colour = new StripedColour();
        var anchorView = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(anchorYaw, Size));
        var target = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(targetYaw, Size));
        var anchor = new AnchorView("a", anchorView.Image, anchorView.Depth, anchorView.Camera);

        var warp = new DepthWarper(new DepthWarpOptions()).Warp(anchor, target.Camera, target.Depth);
        // Pure geometric visibility (no foreshortening cut): recall of the visibility test itself.
        var geometric = new DepthWarper(new DepthWarpOptions { MinAnchorDensity = 0 }).Warp(anchor, target.Camera, target.Depth);

        // Ground truth: the target pixel's surface point is visible from the anchor camera (ray cast) inside its image.
        var fragments = MeshRasterizer.Rasterize(mesh, target.Camera);
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        var caster = new SyntheticScene.RayCaster(mesh, anchor.Camera);
        var truth = new bool[Size * Size];
        Parallel.For(0, Size * Size, p =>
        {
            if (fragments.TriangleIds[p] < 0) return;
            var point = new Vector3(points[3 * p], points[3 * p + 1], points[3 * p + 2]);
            var (u, v, z) = anchor.Camera.Project(new Vector3d(point.X, point.Y, point.Z));
            bool inImage = z > 0 && u >= 0 && v >= 0 && u < Size && v < Size;
            truth[p] = inImage && caster.Visible(point);
        });

        var (gPrecision, gRecall) = PrecisionRecall(geometric.Visibility, truth);
        int tp = 0, fp = 0, fn = 0, interior = 0;
        double squaredError = 0;
        for (int p = 0; p < Size * Size; p++)
        {
            bool m = warp.Visibility.Data[p] > 0.5f;
            if (m && truth[p]) tp++;
            else if (m) fp++;
            else if (truth[p]) fn++;
            if (warp.SoftMask.Data[p] < 1f || target.Mask.Data[p] < 1f) continue; // interior of the mask, away from silhouettes
            int x = p % Size, y = p / Size;
            squaredError += Vector3.DistanceSquared(warp.Image[x, y], target.Image[x, y]) / 3;
            interior++;
        }
        double precision = tp / (double)Math.Max(1, tp + fp), recall = tp / (double)Math.Max(1, tp + fn);
        double psnr = 10 * Math.Log10(1 / (squaredError / Math.Max(1, interior)));
        int occluded = truth.Count(t => !t) - fragments.TriangleIds.Count(t => t < 0);
        output.WriteLine($"anchor {anchorYaw} -> target {targetYaw}: PSNR {psnr:F1} dB over {interior} interior px; mask precision {precision:F3}, recall {recall:F3} " +
                         $"(true visible {tp + fn}, truly hidden surface px {occluded}, mask px {tp + fp}); without the foreshortening cut precision {gPrecision:F3}, recall {gRecall:F3}");

        Assert.True(interior > 500, $"only {interior} interior pixels");
        Assert.True(psnr >= 30, $"PSNR {psnr:F1} dB");
        // The mask never claims hidden surface; it leaves out what the anchor saw strongly foreshortened (MinAnchorDensity).
        Assert.True(precision >= 0.98, $"precision {precision:F3}");
        Assert.True(recall >= 0.65, $"recall {recall:F3}");
        Assert.True(gPrecision >= 0.98, $"geometric precision {gPrecision:F3}");
        Assert.True(gRecall >= 0.8, $"geometric recall {gRecall:F3}");
        Assert.Equal(Size / 8, warp.LatentMask.Width);
        Assert.Contains(warp.SoftMask.Data, v => Math.Abs(v - 0.1f) < 1e-6f);
        Assert.All(warp.SoftMask.Data, v => Assert.True(v == 0f || v == 1f || Math.Abs(v - 0.1f) < 1e-6f));
    }

    [Fact]
    public void Anchor_pixels_outside_its_matte_are_never_warped()
    {
        // The anchor's matte covers only its left half (a portrait whose matte is narrower than the fitted head):
        // the right half's pixels are background and must not reach the target.
        var mesh = SyntheticScene.Head;
        var normals = mesh.VertexNormals();
        var colour = new StripedColour();
        var view = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(0, Size));
        var target = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(30, Size));
        var matte = new FloatImage(Size, Size);
        for (int y = 0; y < Size; y++) for (int x = 0; x < Size / 2; x++) matte[x, y] = 1;
        var warper = new DepthWarper(new DepthWarpOptions());

        var unmasked = warper.Warp(new AnchorView("a", view.Image, view.Depth, view.Camera), target.Camera, target.Depth);
        var masked = warper.Warp(new AnchorView("a", view.Image, view.Depth, view.Camera, matte), target.Camera, target.Depth);

        int kept = 0, dropped = 0;
        var fragments = MeshRasterizer.Rasterize(mesh, target.Camera);
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        for (int p = 0; p < Size * Size; p++)
        {
            if (unmasked.Visibility.Data[p] <= 0) { Assert.Equal(0f, masked.Visibility.Data[p]); continue; }
            var (u, _, _) = view.Camera.Project(new Vector3d(points[3 * p], points[3 * p + 1], points[3 * p + 2]));
            if (u > Size / 2 + 1) { Assert.Equal(0f, masked.Visibility.Data[p]); dropped++; }
            else if (u < Size / 2 - 1) { Assert.Equal(1f, masked.Visibility.Data[p]); kept++; }
        }
        output.WriteLine($"kept {kept} px warped from inside the matte, dropped {dropped} from outside");
        Assert.True(kept > 200 && dropped > 200);
    }

    [Fact]
    public void With_two_anchors_each_pixel_takes_the_visible_anchor_nearest_in_angle()
    {
        var mesh = SyntheticScene.Head;
        var normals = mesh.VertexNormals();
        var colour = new StripedColour();
        AnchorView Anchor(string name, double yaw)
        {
            var view = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(yaw, Size));
            return new AnchorView(name, view.Image, view.Depth, view.Camera);
        }
        var front = Anchor("front", 0);
        var back = Anchor("back", 180);
        var target = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(100, Size));
        var warper = new DepthWarper(new DepthWarpOptions());

        var both = warper.Warp(new[] { front, back }, target.Camera, target.Depth);
        var frontOnly = warper.Warp(front, target.Camera, target.Depth);
        var backOnly = warper.Warp(back, target.Camera, target.Depth);

        int fromFront = both.Source.Count(s => s == 0), fromBack = both.Source.Count(s => s == 1);
        output.WriteLine($"target at 100 deg: {fromFront} px from the front anchor, {fromBack} from the back anchor; " +
                         $"front alone covers {frontOnly.Visibility.Data.Count(v => v > 0)}, back alone {backOnly.Visibility.Data.Count(v => v > 0)}");
        Assert.True(fromFront > 50 && fromBack > 50);
        // The union of what the anchors see is covered, and pixels seen by one anchor only come from it.
        for (int p = 0; p < Size * Size; p++)
        {
            bool f = frontOnly.Visibility.Data[p] > 0, b = backOnly.Visibility.Data[p] > 0;
            Assert.Equal(f || b, both.Visibility.Data[p] > 0);
            if (f && !b) Assert.Equal(0, both.Source[p]);
            if (b && !f) Assert.Equal(1, both.Source[p]);
        }
    }

    [Fact]
    public void Facing_gate_keeps_anchor_pixels_off_grazing_surface_outside_the_face_region()
    {
        // Anchor at 0 degrees, target at 50: the anchor's upper half is its "face region" (in front of the jaw), the lower
        // half is gated. Reference: the exact surface normal of the target pixel (mesh normals) against the direction to
        // the anchor camera. A gated pixel at cos <= 0.5 (below the gate's 0.6) takes no anchor colour, and did without the
        // gate (weight at most 0.01 where the depth's normal is off); one at cos >= 0.9 (inside the mask, off the silhouette band) keeps its weight (within 0.05; 5 % may not, depth normals at creases); inside the face region the gate leaves every pixel as it was.
        var mesh = SyntheticScene.Head;
        var normals = mesh.VertexNormals();
        var colour = new StripedColour();
        var view = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(0, Size));
        var target = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(50, Size));
        var face = new FloatImage(Size, Size);
        for (int y = 0; y < Size / 2; y++) for (int x = 0; x < Size; x++) face[x, y] = 1;

        var before = new DepthWarper(new DepthWarpOptions { AnchorFacingMin = -1 })
            .Warp(new AnchorView("reference", view.Image, view.Depth, view.Camera, FaceRegion: face), target.Camera, target.Depth);
        var after = new DepthWarper(new DepthWarpOptions { AnchorFacingMin = 0.6, AnchorFacingFull = 0.85 })
            .Warp(new AnchorView("reference", view.Image, view.Depth, view.Camera, FaceRegion: face), target.Camera, target.Depth);
        var ungatedAnchor = new DepthWarper(new DepthWarpOptions { AnchorFacingMin = 0.6 })
            .Warp(new AnchorView("reference", view.Image, view.Depth, view.Camera), target.Camera, target.Depth);

        var fragments = MeshRasterizer.Rasterize(mesh, target.Camera);
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        var pointNormals = fragments.Interpolate(normals, 3, mesh.Triangles);
        var anchorCentre = ToVector(view.Camera.Position);
        int dropped = 0, kept = 0, face0 = 0, lost = 0;
        for (int p = 0; p < Size * Size; p++)
        {
            Assert.Equal(before.SoftMask.Data[p], ungatedAnchor.SoftMask.Data[p]); // no face region: no gate
            if (before.Visibility.Data[p] <= 0 || fragments.TriangleIds[p] < 0) continue;
            var point = new Vector3(points[3 * p], points[3 * p + 1], points[3 * p + 2]);
            var n = Vector3.Normalize(new Vector3(pointNormals[3 * p], pointNormals[3 * p + 1], pointNormals[3 * p + 2]));
            float cos = Vector3.Dot(n, Vector3.Normalize(anchorCentre - point));
            var (_, v, _) = view.Camera.Project(new Vector3d(point.X, point.Y, point.Z));
            if (v < Size / 2 - 2)
            {
                Assert.Equal(before.SoftMask.Data[p], after.SoftMask.Data[p]);
                face0++;
            }
            else if (v > Size / 2 + 2 && cos <= 0.5f)
            {
                Assert.True(before.SoftMask.Data[p] > 0); // the ungated warp gave it portrait colour
                // The gate works on normals from the target's depth (pixel differences), so allow a trace at the ramp's foot.
                Assert.True(after.SoftMask.Data[p] <= 0.01f, $"grazing px {p % Size},{p / Size} cos {cos:F2}: weight {after.SoftMask.Data[p]:F3}");
                if (after.SoftMask.Data[p] == 0) dropped++;
            }
            else if (v > Size / 2 + 2 && cos >= 0.9f && before.SoftMask.Data[p] >= 1f) // interior: the depth's normals hold off the silhouette
            {
                if (after.SoftMask.Data[p] < before.SoftMask.Data[p] - 0.05f) lost++;
                kept++;
            }
        }
        output.WriteLine($"gate: {dropped} grazing px (cos <= 0.5) dropped, {kept} facing px (cos >= 0.9), {lost} of them lost weight, {face0} face-region px unchanged");
        Assert.True(dropped > 300 && kept > 50 && face0 > 1000, $"dropped {dropped}, kept {kept}, face {face0}");
        Assert.True(lost <= kept / 20, $"{lost} of {kept} facing px lost weight"); // depth normals at creases
    }

    private static (double Precision, double Recall) PrecisionRecall(FloatImage mask, bool[] truth)
    {
        int tp = 0, fp = 0, fn = 0;
        for (int p = 0; p < truth.Length; p++)
        {
            bool m = mask.Data[p] > 0.5f;
            if (m && truth[p]) tp++;
            else if (m) fp++;
            else if (truth[p]) fn++;
        }
        return (tp / (double)Math.Max(1, tp + fp), tp / (double)Math.Max(1, tp + fn));
    }

    private static Vector3 ToVector(Vector3d v) => new((float)v.X, (float)v.Y, (float)v.Z);
}
