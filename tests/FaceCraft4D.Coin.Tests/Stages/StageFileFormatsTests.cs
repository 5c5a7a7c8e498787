using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Testing;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Coin.Tests.Stages;

public sealed class StageFileFormatsTests
{
    [Fact]
    public void Head_mesh_colours_are_read_from_the_shape_priors_ply()
    {
        var mesh = new TriangleMesh([0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 1, 2]);
        var ply = PlyMeshWriter.Write(mesh, [1, 0, 0, 0, 0.5f, 0, 0, 0, 1], "test");
        var colours = HeadMeshColours.TryRead(ply);
        Assert.NotNull(colours);
        Assert.Equal(new[] { 1f, 0, 0, 0, 128 / 255f, 0, 0, 0, 1 }, colours);
        Assert.Null(HeadMeshColours.TryRead("ply\nformat ascii 1.0\nend_header\n"u8));
    }

    [Theory]
    [InlineData("4")] // one vertex more than the body holds (3 vertices and one face follow the header)
    [InlineData("2147483647")] // 15 x count overflows 32 bits (wraps negative)
    [InlineData("286331154")] // 15 x count wraps to 14, a small positive 32-bit number
    public void Head_ply_readers_refuse_a_vertex_count_the_body_does_not_hold(string declared)
    {
        var mesh = new TriangleMesh([0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 1, 2]);
        var ply = PlyMeshWriter.Write(mesh, [1, 0, 0, 0, 0.5f, 0, 0, 0, 1], "test");
        var text = System.Text.Encoding.ASCII.GetString(ply);
        var lying = System.Text.Encoding.ASCII.GetBytes(text.Replace("element vertex 3\n", $"element vertex {declared}\n", StringComparison.Ordinal));

        Assert.Null(HeadMeshColours.TryRead(lying));
        var error = Assert.Throws<StageInputException>(() => FaceCraft4D.Stages.Animation.PlyVertexColours.Read(lying, int.Parse(declared, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("truncated", error.Message);
        Assert.Equal(new[] { 1f, 0, 0, 0, 128 / 255f, 0, 0, 0, 1 }, FaceCraft4D.Stages.Animation.PlyVertexColours.Read(ply, 3));
    }

    [Fact]
    public async Task Video_frames_without_tracking_are_an_input_error_and_no_videos_is_an_empty_set()
    {
        var blobs = new InMemoryBlobStore();
        var camera = OrbitCameras.Create(new OrbitCameraOptions { ViewCount = 2, Width = 8, Height = 8 });
        var frame = StageFileTrackedVideoSource.FrameInput(1, 0, 0);
        Assert.Equal("animate-view/src-01-clip-00/frame-0000.png", frame);
        StageJobContext Context(Dictionary<string, BlobRef> inputs) => new(
            new StageRequest("run", PipelineStage.TrainCoin, "0", inputs, PipelinePresets.Preview, new Dictionary<string, string>()),
            blobs, new Progress<JobProgress>(), "test", CancellationToken.None);
        var source = new StageFileTrackedVideoSource();

        Assert.False((await source.ReadAsync(Context([]), camera)).HasVideos);
        var error = await Assert.ThrowsAsync<StageInputException>(() => source.ReadAsync(Context(new() { [frame] = new BlobRef("runs", "x") }), camera));
        Assert.Equal("input-missing", error.ReasonCode);
    }
}
