using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Viewer.Tests.Support;

/// <summary>
/// A small FLAME-rigged Gaussian avatar on the built-in procedural head (one Gaussian per triangle, 6,888 by default),
/// coloured so that every side looks different (skin at the front, dark hair at the back and top, red lips, dark eyes,
/// light teeth, a direction tint elsewhere), written to a folder with the code the Export stage uses:
/// <c>avatar.ply</c> + <c>avatar_rig.safetensors</c> + <c>avatar_rig.json</c> (<see cref="AvatarExporter"/> /
/// <see cref="AvatarRigFile"/>), <c>animation/{clip}.safetensors</c> (<see cref="AnimationFile.Build"/>) and
/// <c>animation/index.json</c> (<see cref="AnimationFile.Index"/>, <see cref="AnimationFile.IndexJson"/>).
/// </summary>
public sealed class ExportedTestAvatar : IDisposable
{
    private readonly FlameModelData data;

    /// <param name="head">Procedural head settings (null: the default head, 6,888 triangles).</param>
    /// <param name="perTriangle">Gaussians per triangle (more than one: random points on the triangle).</param>
    /// <param name="localScale">Local scale in triangle units.</param>
    /// <param name="randomLocalSeed">When set, the local attributes are randomised (offsets off the triangle plane, random
    /// rotations, anisotropic scales) so that every term of the posing formula matters.</param>
    public ExportedTestAvatar(ProceduralHeadOptions? head = null, int perTriangle = 1, double localScale = 0.8, int? randomLocalSeed = null)
    {
        data = ProceduralHeadModel.Create(head);
        Flame = new FlameModel(data);
        using var scope = torch.NewDisposeScope();
        Avatar = FlameGaussianAvatar.Create(Flame, torch.zeros(1, data.ShapeCount), perTriangle, localScale, generator: new torch.Generator(11));
        using var noGrad = torch.no_grad();
        var p = Avatar.Parameters;
        p.ShDc.copy_(SphericalHarmonics.RgbToDc(Colours()).unsqueeze(1));
        p.OpacityLogits.FilledWith(4f);
        if (randomLocalSeed is { } seed)
        {
            var gen = new torch.Generator((ulong)seed);
            long n = p.Count;
            p.Positions.PlusInPlace(torch.randn([n, 3], generator: gen).Times(0.3));
            p.Rotations.copy_(torch.randn([n, 4], generator: gen));
            p.LogScales.PlusInPlace(torch.randn([n, 3], generator: gen).Times(0.4));
        }
    }

    public FlameModel Flame { get; }

    public FlameGaussianAvatar Avatar { get; }

    public int Count => (int)Avatar.Parameters.Count;

    /// <summary>
    /// The <c>jaw-open</c> clip: the jaw opens to 0.35 rad and closes again, following sin(π f / (F − 1)) (frames 0 and
    /// F − 1 are closed), with a slight lower-lip-down expression.
    /// </summary>
    public AnimationClip JawOpenClip(int frames)
    {
        var list = new List<FlameFrame>(frames);
        for (int f = 0; f < frames; f++)
        {
            float open = (float)Math.Sin(Math.PI * f / (frames - 1));
            var expression = new float[Flame.ExpressionCount];
            if (expression.Length > 7) expression[7] = 1.5f * open; // "lower lip down" on the procedural head
            list.Add(new FlameFrame(expression, [0.35f * open, 0, 0], [0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0], [0, 0, 0]));
        }
        return new AnimationClip("jaw-open", 12, "test", list);
    }

    /// <summary>Writes the avatar and its clips (first one first in the index) under <paramref name="root"/> as Export does.</summary>
    public async Task WriteAsync(string root, IReadOnlyList<AnimationClip> clips, bool halfPrecision, CancellationToken ct)
    {
        await WriteAvatarAsync(root, ct);
        var entries = new List<AnimationClipEntry>();
        foreach (var clip in clips)
        {
            var file = AnimationFile.Build(Avatar, clip, halfPrecision, ct);
            var path = Path.Combine(root, ExportFiles.Animation(clip.Name));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await file.WriteAsync(path, ct);
            entries.Add(new AnimationClipEntry(clip.Name, ExportFiles.Animation(clip.Name), clip.Frames.Count, clip.Fps, clip.Source, []));
        }
        await File.WriteAllBytesAsync(Path.Combine(root, ExportFiles.AnimationIndex), AnimationFile.IndexJson(AnimationFile.Index(Avatar, halfPrecision, entries)), ct);
    }

    /// <summary>
    /// The C# reference: every Gaussian's mean [N*3] posed by FLAME for <paramref name="frame"/>
    /// (<see cref="FlameGaussianAvatar.Evaluate"/>), or the canonical means when null.
    /// </summary>
    public float[] PosedMeans(FlameFrame? frame)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var g = frame is null ? Avatar.Evaluate() : Avatar.Evaluate(frame.ToParameters(Flame, Avatar.Shape));
        return g.Means.cpu().data<float>().ToArray();
    }

    /// <summary>Writes the canonical avatar only (<c>avatar.ply</c> and the rig, no <c>animation/</c>) as Export does.</summary>
    public Task WriteAvatarAsync(string root, CancellationToken ct) =>
        AvatarExporter.ExportAsync(Avatar, root, new AvatarExportOptions { WriteTurntable = false }, cancellationToken: ct);

    // rgb [N, 3] from each Gaussian's canonical position and its triangle's region.
    private Tensor Colours()
    {
        using var noGrad = torch.no_grad();
        var means = Avatar.Evaluate().Means.cpu();
        var lo = means.amin(0);
        var hi = means.amax(0);
        var dir = torch.nn.functional.normalize((means - lo.Plus(hi).DividedBy(2)) / (hi - lo), p: 2, dim: 1);
        var d = dir.data<float>().ToArray();
        var faces = Flame.Faces.cpu().data<long>().ToArray();
        var binding = Avatar.Parameters.Binding!.cpu().data<long>().ToArray();
        bool[] Mask(params string[] names)
        {
            var vertex = new bool[data.VertexCount];
            foreach (var name in names)
                if (data.VertexMasks.TryGetValue(name, out var idx))
                    foreach (var v in idx.data<long>().ToArray()) vertex[v] = true;
            return vertex;
        }
        var eyes = Mask("eyeballs");
        var lips = Mask("lip_ring_upper", "lip_ring_lower");
        int teethStart = data.TeethFaceStart ?? int.MaxValue;
        var rgb = new float[3 * binding.Length];
        for (int i = 0; i < binding.Length; i++)
        {
            long t = binding[i];
            long v0 = faces[3 * t], v1 = faces[3 * t + 1], v2 = faces[3 * t + 2];
            double dx = d[3 * i], dy = d[3 * i + 1], dz = d[3 * i + 2];
            (double r, double g, double b) c = (0.55 + 0.35 * dx, 0.55 + 0.35 * dy, 0.55 + 0.35 * dz);
            if (dz > 0.35) c = (0.93, 0.74, 0.62);                              // skin
            if (dy > 0.6 || (dz < -0.2 && dy > -0.3)) c = (0.28, 0.17, 0.09);   // hair
            if (lips[v0] || lips[v1] || lips[v2]) c = (0.78, 0.12, 0.15);        // lips
            if (eyes[v0] && eyes[v1] && eyes[v2]) c = (0.08, 0.08, 0.10);        // eyes
            if (t >= teethStart) c = (0.96, 0.95, 0.9);                          // teeth
            rgb[3 * i] = (float)c.r; rgb[3 * i + 1] = (float)c.g; rgb[3 * i + 2] = (float)c.b;
        }
        return torch.tensor(rgb, [binding.Length, 3], Flame.DType, Flame.Device);
    }

    public void Dispose()
    {
        Avatar.Dispose();
        Flame.Dispose();
        data.Dispose();
    }
}
