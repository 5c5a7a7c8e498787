using System.Text.Json;
using FaceCraft4D.Viewer.Animation;
using FaceCraft4D.Viewer.Tests.Support;

namespace FaceCraft4D.Viewer.Tests;

public sealed class GaussianAnimationWriterTests
{
    [Theory]
    [InlineData(GaussianAnimationWriter.Float16, "animation/talk.f16", 1e-3)]
    [InlineData(GaussianAnimationWriter.Float32, "animation/talk.f32", 0)]
    public async Task Clips_RoundTrip_WithTheDocumentedLayout(string encoding, string file, double tolerance)
    {
        var root = Directory.CreateTempSubdirectory("fc4d-anim-");
        try
        {
            var avatar = SyntheticAvatar.Create(500, 1);
            var frames = avatar.JawOpenClip(5);
            var index = await GaussianAnimationWriter.WriteFolderAsync(root.FullName, avatar.Count, [("talk", 25, frames)], encoding, CancellationToken.None);
            Assert.Equal(file, index.Clips[0].File);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root.FullName, "animation", "index.json")));
            Assert.Equal("fc4d.gaussian-animation/1", json.RootElement.GetProperty("format").GetString());
            Assert.Equal(500, json.RootElement.GetProperty("gaussianCount").GetInt32());
            var clip = json.RootElement.GetProperty("clips")[0];
            Assert.Equal(5, clip.GetProperty("frameCount").GetInt32());
            Assert.Equal(encoding, clip.GetProperty("encoding").GetString());

            var bytes = await File.ReadAllBytesAsync(Path.Combine(root.FullName, file));
            Assert.Equal(5 * 500 * 3 * (encoding == GaussianAnimationWriter.Float16 ? 2 : 4), bytes.Length);
            for (int f = 0; f < 5; f++)
            {
                var back = GaussianAnimationWriter.ReadFrame(bytes, f, 500, encoding);
                for (int i = 0; i < back.Length; i++) Assert.True(Math.Abs(back[i] - frames[f][i]) <= tolerance + 1e-9, $"frame {f} value {i}");
            }
            Assert.Contains(frames[2], v => Math.Abs(v) > 0.01f); // the jaw really moves mid-clip
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task BadClipNamesAndFrameSizes_AreRejected()
    {
        var root = Directory.CreateTempSubdirectory("fc4d-anim-");
        try
        {
            await Assert.ThrowsAsync<ArgumentException>(() => GaussianAnimationWriter.WriteFolderAsync(root.FullName, 2,
                [("../escape", 25, [new float[6]])], GaussianAnimationWriter.Float16, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => GaussianAnimationWriter.WriteFolderAsync(root.FullName, 2,
                [("ok", 25, [new float[5]])], GaussianAnimationWriter.Float16, CancellationToken.None));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
