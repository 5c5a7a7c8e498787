using System.Text.Json;
using FaceCraft4D.Viewer.Tests.Support;
using Xunit.Abstractions;

namespace FaceCraft4D.Viewer.Tests;

/// <summary>
/// The viewer's file readers (<c>safetensors.js</c>, <c>avatar-animation.js</c>, run in Node exactly as served) accept the
/// Export stage's files and reject damaged or mismatched ones with an error that names the problem (the page shows that
/// error next to the controls and keeps the canonical avatar), and decode IEEE half-precision numbers exactly.
/// </summary>
public sealed class ViewerFileFormatTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readers_AcceptExportedFiles_AndNameWhatIsWrongWithDamagedOnes()
    {
        var node = BrowserEnvironment.RequireNode();
        var work = Directory.CreateTempSubdirectory("fc4d-viewer-format-");
        try
        {
            int gaussians;
            long triangles;
            using (var avatar = new ExportedTestAvatar())
            {
                gaussians = avatar.Count;
                triangles = avatar.Flame.Faces.shape[0];
                await avatar.WriteAsync(Path.Combine(work.FullName, "artifacts"), [avatar.JawOpenClip(5)], halfPrecision: true, CancellationToken.None);
            }
            var scripts = Path.Combine(work.FullName, "scripts");
            BrowserEnvironment.ExtractViewerModules(scripts);
            var resultFile = Path.Combine(work.FullName, "format.json");
            await BrowserEnvironment.RunScriptAsync(node, Path.Combine(AppContext.BaseDirectory, "browser", "format-check.mjs"),
                [scripts, Path.Combine(work.FullName, "artifacts"), "jaw-open", resultFile], TimeSpan.FromSeconds(60));
            var text = await File.ReadAllTextAsync(resultFile);
            output.WriteLine(text);
            using var doc = JsonDocument.Parse(text);
            var r = doc.RootElement;

            var valid = r.GetProperty("valid");
            Assert.True(valid.TryGetProperty("ok", out _), valid.ToString());
            Assert.Equal(gaussians, valid.GetProperty("gaussians").GetInt32());
            Assert.Equal(triangles, valid.GetProperty("triangles").GetInt64());
            Assert.Equal(5, valid.GetProperty("frames").GetInt32());
            Assert.Equal(12, valid.GetProperty("fps").GetDouble()); // from the file's metadata when the index gives none
            Assert.True(valid.GetProperty("half").GetBoolean());

            void Rejected(string name, params string[] words)
            {
                Assert.True(r.GetProperty(name).TryGetProperty("error", out var error), $"{name} was accepted: {r.GetProperty(name)}");
                foreach (var word in words) Assert.Contains(word, error.GetString());
            }
            Rejected("truncated-clip", "jaw-open.safetensors", "data_offsets");
            Rejected("header-too-long", "header length");
            Rejected("too-short", "too short");
            Rejected("rig-other-format", "something-else/1", "fc4d-avatar-rig/1");
            Rejected("clip-other-format", "fc4d.gaussian-animation/1", "fc4d-avatar-animation/1");
            Rejected("clip-missing-tensor", "jaw-open.safetensors", "triangle_scales");
            Rejected("clip-wrong-shape", "jaw-open.safetensors", "triangle_rotations", "[5,6888,4]");
            Rejected("binding-out-of-range", "binding[0]");
            Rejected("clip-for-other-rig", "triangles");
            Rejected("frame-out-of-range", "no frame 5");

            var half = r.GetProperty("half-values").GetProperty("values").EnumerateArray().ToList();
            Assert.Equal(1.0, half[0].GetDouble());
            Assert.Equal(-2.0, half[1].GetDouble());
            Assert.Equal(65504.0, half[2].GetDouble());
            Assert.Equal(Math.Pow(2, -24), half[3].GetDouble(), 1e-30);
            Assert.Equal(0.0, half[4].GetDouble());
            Assert.Equal(0.333251953125, half[5].GetDouble(), 1e-12);
            Assert.Equal("Infinity", half[6].GetString());
            Assert.Equal("-Infinity", half[7].GetString());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
