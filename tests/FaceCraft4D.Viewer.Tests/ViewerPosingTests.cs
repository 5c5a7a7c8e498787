using System.Text.Json;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Viewer.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Viewer.Tests;

/// <summary>
/// The viewer's posing code (<c>avatar-animation.js</c> + <c>safetensors.js</c>, run in Node exactly as served) on files
/// written by the Export stage's code reproduces the Graphics library's FLAME-posed avatar
/// (<c>FlameGaussianAvatar.Evaluate</c>): means, rotations and scales of every Gaussian.
/// </summary>
public sealed class ViewerPosingTests(ITestOutputHelper output)
{
    [Theory]
    // float16 triangle frames: centres in ~0.1 mm steps at head scale, quaternions and scales to ~5e-4 relative
    [InlineData(true, 5e-4, 2e-3, 3e-3)]
    // float32: only rounding differences
    [InlineData(false, 2e-6, 1e-5, 1e-5)]
    public async Task ViewerPosing_OfExportedFiles_MatchesTheFlamePosedAvatar(bool halfPrecision, double meanTolerance, double rotationTolerance, double scaleTolerance)
    {
        var node = BrowserEnvironment.RequireNode();
        var work = Directory.CreateTempSubdirectory("fc4d-viewer-pose-");
        try
        {
            using var avatar = new ExportedTestAvatar(perTriangle: 2, randomLocalSeed: 5);
            // the Export stage's demo clip: jaw, three expression components and a neck turn
            var clip = AnimationClip.Demo(8, avatar.Flame.ExpressionCount);
            var artifacts = Path.Combine(work.FullName, "artifacts");
            await avatar.WriteAsync(artifacts, [clip], halfPrecision, CancellationToken.None);
            var scripts = Path.Combine(work.FullName, "scripts");
            BrowserEnvironment.ExtractViewerModules(scripts);
            var result = Path.Combine(work.FullName, "out");
            int[] frames = [0, 2, 5];
            await BrowserEnvironment.RunScriptAsync(node, Path.Combine(AppContext.BaseDirectory, "browser", "pose-check.mjs"),
                [scripts, artifacts, result, clip.Name, .. frames.Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture))], TimeSpan.FromSeconds(60));
            var summary = await File.ReadAllTextAsync(Path.Combine(result, "pose.json"));
            output.WriteLine(summary);
            using (var doc = JsonDocument.Parse(summary))
            {
                Assert.Equal(avatar.Count, doc.RootElement.GetProperty("gaussians").GetInt32());
                Assert.Equal(avatar.Flame.Faces.shape[0], doc.RootElement.GetProperty("triangles").GetInt64());
                Assert.Equal(halfPrecision, doc.RootElement.GetProperty("half").GetBoolean());
            }

            int n = avatar.Count;
            float[] canonical;
            using (torch.no_grad()) canonical = avatar.Avatar.Evaluate().Means.data<float>().ToArray();
            foreach (int f in frames)
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(result, $"{clip.Name}-{f}.f32"));
                Assert.Equal(10 * n * 4, bytes.Length);
                var js = new float[10 * n];
                Buffer.BlockCopy(bytes, 0, js, 0, bytes.Length);
                float[] means, quats, scales;
                using (var scope = torch.NewDisposeScope())
                using (torch.no_grad())
                {
                    var g = avatar.Avatar.Evaluate(clip.Frames[f].ToParameters(avatar.Flame, avatar.Avatar.Shape));
                    means = g.Means.data<float>().ToArray();
                    quats = torch.nn.functional.normalize(g.Quaternions, p: 2, dim: 1).data<float>().ToArray();
                    scales = g.Scales.data<float>().ToArray();
                }
                double meanError = 0, rotationError = 0, scaleError = 0, motion = 0;
                for (int i = 0; i < n; i++)
                {
                    for (int c = 0; c < 3; c++)
                    {
                        meanError = Math.Max(meanError, Math.Abs(js[3 * i + c] - means[3 * i + c]));
                        scaleError = Math.Max(scaleError, Math.Abs(js[7 * n + 3 * i + c] / scales[3 * i + c] - 1));
                        motion = Math.Max(motion, Math.Abs(means[3 * i + c] - canonical[3 * i + c]));
                    }
                    double dot = 0, norm = 0;
                    for (int c = 0; c < 4; c++)
                    {
                        dot += js[3 * n + 4 * i + c] * quats[4 * i + c];
                        norm += js[3 * n + 4 * i + c] * js[3 * n + 4 * i + c];
                    }
                    rotationError = Math.Max(rotationError, Math.Max(1 - Math.Abs(dot), Math.Abs(Math.Sqrt(norm) - 1))); // q and -q are one rotation
                }
                output.WriteLine($"frame {f}: largest mean error {meanError * 1000:F4} mm (pose moves Gaussians up to {motion * 1000:F1} mm), " +
                                 $"rotation 1-|dot| {rotationError:E2}, scale relative {scaleError:E2}");
                Assert.True(meanError < meanTolerance, $"frame {f}: means differ by {meanError} m");
                Assert.True(rotationError < rotationTolerance, $"frame {f}: rotations differ ({rotationError})");
                Assert.True(scaleError < scaleTolerance, $"frame {f}: scales differ ({scaleError})");
                if (f > 0) Assert.True(motion > 0.005, $"frame {f} of the demo clip hardly moves the avatar ({motion} m)");
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
