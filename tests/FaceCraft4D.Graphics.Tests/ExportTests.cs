using System.Diagnostics;
using System.Globalization;
using System.Text;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using SixLabors.ImageSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

public sealed class ExportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fc4d-export-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static (FlameModelData, FlameModel, FlameGaussianAvatar) Avatar()
    {
        var data = ProceduralHeadModel.Create();
        var flame = new FlameModel(data);
        var avatar = FlameGaussianAvatar.Create(flame, torch.tensor(new float[] { 1, -0.5f, 0.3f }).view(1, 3), gaussiansPerTriangle: 1);
        using (torch.no_grad())
        {
            var p = avatar.Parameters;
            var g = new torch.Generator(8);
            p.Positions.copy_(torch.randn(p.Positions.shape, generator: g).Times(0.2));
            p.Rotations.copy_(torch.randn(p.Rotations.shape, generator: g));
            p.LogScales.PlusInPlace(torch.randn(p.LogScales.shape, generator: g).Times(0.2));
            p.ShRest.copy_(torch.randn(p.ShRest.shape, generator: g).Times(0.1));
            p.ShDc.copy_(torch.randn(p.ShDc.shape, generator: g));
        }
        return (data, flame, avatar);
    }

    [Fact]
    public async Task Exports_ply_rig_and_turntable_that_reproduce_the_avatar()
    {
        var (data, flame, avatar) = Avatar();
        using var _d = data; using var _f = flame; using var _a = avatar;
        var files = await AvatarExporter.ExportAsync(avatar, _dir, new AvatarExportOptions { Turntable = new() { ViewCount = 6, Width = 64, Height = 64 } });
        Assert.Contains("avatar.ply", files);
        Assert.Contains(AvatarRigFile.TensorsFileName, files);
        Assert.Contains("preview/turntable.gif", files);
        Assert.Equal(6, files.Count(f => f.EndsWith(".png", StringComparison.Ordinal)));

        // .ply header: the standard 3DGS property list.
        var bytes = await File.ReadAllBytesAsync(Path.Combine(_dir, "avatar.ply"));
        var header = Encoding.ASCII.GetString(bytes, 0, 4000);
        header = header[..(header.IndexOf("end_header\n", StringComparison.Ordinal) + 11)];
        Assert.StartsWith("ply\nformat binary_little_endian 1.0\n", header);
        Assert.Contains($"element vertex {avatar.Parameters.Count}\n", header);
        var props = header.Split('\n').Where(l => l.StartsWith("property float ", StringComparison.Ordinal)).Select(l => l[15..]).ToArray();
        Assert.Equal(GaussianPlyFile.PropertyNames, props);
        Assert.Equal(62, props.Length);
        Assert.Equal(header.Length + avatar.Parameters.Count * 62L * 4, bytes.Length);

        // Values: world-space canonical Gaussians, opacity logit, log scales, SH in channel-major f_rest order.
        await using var fs = File.OpenRead(Path.Combine(_dir, "avatar.ply"));
        var ply = await GaussianPlyFile.ReadAsync(fs);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var world = avatar.Evaluate();
        var p = avatar.Parameters;
        Close(world.Means, ply.Positions, 1e-7);
        Close(world.Scales.log(), ply.LogScales, 1e-5);
        Close(p.OpacityLogits, ply.OpacityLogits, 0);
        Close(p.ShDc.squeeze(1), ply.ShDc, 0);
        Close(p.ShRest.transpose(1, 2).reshape(p.Count, 45), ply.ShRest, 0);
        var q = torch.tensor(ply.Rotations, new long[] { p.Count, 4 });
        var covPly = GaussianProjection.Covariance(q, torch.tensor(ply.LogScales, new long[] { p.Count, 3 }).exp());
        var covWorld = GaussianProjection.Covariance(world.Quaternions, world.Scales);
        Assert.True((covPly - covWorld).abs().max().item<float>() < 1e-6 * covWorld.abs().max().item<float>() + 1e-12);

        // Rig: posing FLAME with the stored shape and applying the documented formula gives the same world Gaussians.
        await using var manifestStream = File.OpenRead(Path.Combine(_dir, AvatarRigFile.ManifestFileName));
        var manifest = await AvatarRigFile.ReadManifestAsync(manifestStream);
        Assert.Equal(p.Count, manifest.GaussianCount);
        Assert.Equal(ProceduralHeadModel.ModelName, manifest.Flame.Model);
        var rig = await InMemorySafeTensors.ReadAsync(Path.Combine(_dir, AvatarRigFile.TensorsFileName));
        var shape = rig.GetTorch("flame_shape").view(1, -1);
        var verts = flame.Forward(flame.ZeroParameters().With(shape: shape)).Vertices[0];
        var frames = TriangleFrames.Compute(verts, rig.GetTorch("faces"));
        var binding = rig.GetTorch("binding");
        var r = frames.Rotations.index_select(0, binding);
        var k = frames.Scales.index_select(0, binding).unsqueeze(1);
        var means = (torch.matmul(r, rig.GetTorch("local_xyz").unsqueeze(-1)).squeeze(-1) * k).Plus(frames.Centers.index_select(0, binding));
        Close(means, ply.Positions, 1e-7);
        Close(rig.GetTorch("local_log_scale").exp() * k, ply.LogScales.Select(MathF.Exp).ToArray(), 1e-7);

        // The rig rebuilds an identical trainable avatar.
        await using (var rigStream = File.OpenRead(Path.Combine(_dir, AvatarRigFile.TensorsFileName)))
        {
            using var rebuilt = await AvatarRigFile.ReadAvatarAsync(rigStream, flame);
            var again = rebuilt.Evaluate(rebuilt.CanonicalFrame().With(jaw: torch.tensor(new float[] { 0.2f, 0, 0 }).view(1, 3)));
            var original = avatar.Evaluate(avatar.CanonicalFrame().With(jaw: torch.tensor(new float[] { 0.2f, 0, 0 }).view(1, 3)));
            Assert.True((again.Means - original.Means).abs().max().item<float>() < 1e-6);
            Assert.True((again.Scales - original.Scales).abs().max().item<float>() < 1e-7);
            Assert.Equal(3, rebuilt.Parameters.MaxShDegree);
        }

        // Turntable GIF: one frame per view.
        using var gif = await Image.LoadAsync(Path.Combine(_dir, "preview", "turntable.gif"));
        Assert.Equal(6, gif.Frames.Count);
        Assert.Equal(64, gif.Width);
    }

    [Fact]
    public async Task Splat_transform_reads_the_exported_ply()
    {
        var tool = Path.Combine(RepositoryPaths.Root, "infra", "node", "node_modules", ".bin", "splat-transform");
        Assert.True(File.Exists(tool), $"{tool} is missing: run `npm ci --prefix infra/node` from the repository root (pins @playcanvas/splat-transform 3.7.0).");
        var (data, flame, avatar) = Avatar();
        using var _d = data; using var _f = flame; using var _a = avatar;
        Directory.CreateDirectory(_dir);
        var ply = Path.Combine(_dir, "avatar.ply");
        var plyData = AvatarExporter.ToPly(avatar);
        await using (var fs = File.Create(ply)) await GaussianPlyFile.WriteAsync(plyData, fs);
        var csv = Path.Combine(_dir, "avatar.csv");

        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--no-tty", ply, csv }) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"splat-transform failed ({process.ExitCode}): {await stdout}\n{await stderr}");

        var lines = await File.ReadAllLinesAsync(csv);
        var columns = lines[0].Split(',');
        Assert.Equal(plyData.Count, lines.Length - 1); // one row per splat
        foreach (var name in new[] { "x", "y", "z", "opacity", "scale_0", "rot_0", "f_dc_0", "f_rest_44" }) Assert.Contains(name, columns);
        int ix = Array.IndexOf(columns, "x"), iop = Array.IndexOf(columns, "opacity"), irest = Array.IndexOf(columns, "f_rest_44");
        foreach (int row in new[] { 0, plyData.Count / 2, plyData.Count - 1 })
        {
            var values = lines[row + 1].Split(',');
            Assert.Equal(plyData.Positions[3 * row], float.Parse(values[ix], CultureInfo.InvariantCulture), 5);
            Assert.Equal(plyData.OpacityLogits[row], float.Parse(values[iop], CultureInfo.InvariantCulture), 5);
            Assert.Equal(plyData.ShRest[45 * row + 44], float.Parse(values[irest], CultureInfo.InvariantCulture), 5);
        }
    }

    private static void Close(Tensor expected, float[] actual, double tol)
    {
        var e = expected.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        Assert.Equal(e.Length, actual.Length);
        double worst = e.Zip(actual).Max(t => Math.Abs(t.First - t.Second));
        Assert.True(worst <= tol, $"max difference {worst}");
    }
}
