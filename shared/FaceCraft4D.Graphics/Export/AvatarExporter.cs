using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Splatting;
using SixLabors.ImageSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Export;

/// <summary>
/// Writes the deliverables of the Export stage into a folder: <c>avatar.ply</c> (canonical pose, standard 3DGS layout),
/// for FLAME-bound avatars <c>avatar_rig.safetensors</c> + <c>avatar_rig.json</c>, and the turntable
/// <c>preview/turntable_NN.png</c> + <c>preview/turntable.gif</c>. Returns the relative paths written.
/// </summary>
public static class AvatarExporter
{
    /// <summary>File name of the canonical-pose splat file.</summary>
    public const string PlyFileName = "avatar.ply";

    /// <summary>Converts the avatar in its canonical frame to the .ply layout.</summary>
    public static PlyGaussians ToPly(IGaussianAvatar avatar)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var p = avatar.Parameters;
        var g = avatar.Evaluate();
        return GaussianPlyFile.FromTensors(g.Means, p.ShCoefficients(), p.OpacityLogits, g.Scales.log(), g.Quaternions);
    }

    /// <summary>Writes all files into <paramref name="directory"/> (created if needed).</summary>
    public static async Task<IReadOnlyList<string>> ExportAsync(IGaussianAvatar avatar, string directory, AvatarExportOptions? options = null,
        GaussianRasterizer? rasterizer = null, CancellationToken cancellationToken = default)
    {
        var o = options ?? new AvatarExportOptions();
        Directory.CreateDirectory(directory);
        var written = new List<string>();

        await using (var fs = File.Create(Path.Combine(directory, PlyFileName)))
            await GaussianPlyFile.WriteAsync(ToPly(avatar), fs, cancellationToken).ConfigureAwait(false);
        written.Add(PlyFileName);

        if (avatar is FlameGaussianAvatar bound)
        {
            await using var tensors = File.Create(Path.Combine(directory, AvatarRigFile.TensorsFileName));
            await using var manifest = File.Create(Path.Combine(directory, AvatarRigFile.ManifestFileName));
            await AvatarRigFile.WriteAsync(bound, tensors, manifest, cancellationToken).ConfigureAwait(false);
            written.Add(AvatarRigFile.TensorsFileName);
            written.Add(AvatarRigFile.ManifestFileName);
        }

        if (o.WriteTurntable)
        {
            var preview = Path.Combine(directory, "preview");
            Directory.CreateDirectory(preview);
            var frames = TurntableRenderer.Render(avatar, o.Turntable, rasterizer ?? new GaussianRasterizer(), o.Background, null, cancellationToken);
            try
            {
                for (int i = 0; i < frames.Count; i++)
                {
                    var name = $"preview/turntable_{i:D2}.png";
                    await frames[i].SaveAsPngAsync(Path.Combine(directory, name), cancellationToken).ConfigureAwait(false);
                    written.Add(name);
                }
                await using var gif = File.Create(Path.Combine(preview, "turntable.gif"));
                await TurntableRenderer.WriteGifAsync(frames, gif, o.GifFrameDelay, cancellationToken).ConfigureAwait(false);
                written.Add("preview/turntable.gif");
            }
            finally
            {
                foreach (var f in frames) f.Dispose();
            }
        }
        return written;
    }
}
