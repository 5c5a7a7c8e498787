using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Files = FaceCraft4D.Contracts.VideoAnimationContract.Files;

namespace FaceCraft4D.Pipeline.Tests.Animations;

/// <summary>The publish step: what lands in the avatar folder and in <c>animation/index.json</c>.</summary>
public sealed class AnimationPublisherTests
{
    private const string RunId = "fc4d-00000000000000ab-00000001";

    private const string Index =
        """{"format":"fc4d-avatar-animation/1","rig":"avatar_rig.safetensors","gaussians":10,"triangles":4,"precision":"float16","clips":[{"name":"clip-00","file":"animation/clip-00.safetensors","frames":4,"fps":25,"source":"track-flame","posedPly":["frames/clip-00_000.ply"]}]}""";

    [Fact]
    public async Task The_clip_and_previews_are_copied_and_added_to_the_index_keeping_the_bundled_clips_and_fields()
    {
        var (blobs, publisher) = await SetUpAsync();

        var written = await publisher.PublishAsync(await PublicationAsync(blobs, "talk", frames: 12), CancellationToken.None);

        Assert.Equal(["animation/index.json", "animation/talk.safetensors", "preview/talk.gif", "preview/talk.mp4"], written.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            (await blobs.TryReadAsync(Stage("preview.mp4"), default))!.ToArray(),
            (await blobs.TryReadAsync(StorageLayout.AvatarArtifact(RunId, "preview/talk.mp4"), default))!.ToArray());
        var index = await IndexAsync(blobs);
        Assert.Equal("float16", index["precision"]!.GetValue<string>());
        var clips = index["clips"]!.AsArray();
        Assert.Equal(2, clips.Count);
        Assert.Equal("frames/clip-00_000.ply", clips[0]!["posedPly"]![0]!.GetValue<string>());
        var entry = clips[1]!.AsObject();
        Assert.Equal("talk", entry["name"]!.GetValue<string>());
        Assert.Equal("animation/talk.safetensors", entry["file"]!.GetValue<string>());
        Assert.Equal(12, entry["frames"]!.GetValue<int>()); // from the clip file's metadata, not the planned count
        Assert.Equal(25, entry["fps"]!.GetValue<double>());
        Assert.Equal("video", entry["source"]!.GetValue<string>());
        Assert.Equal("preview/talk.mp4", entry["preview"]!.GetValue<string>());
        Assert.Equal("preview/talk.gif", entry["previewGif"]!.GetValue<string>());
    }

    [Fact]
    public async Task Publishing_again_replaces_the_video_clip_of_that_name_and_never_a_bundled_one()
    {
        var (blobs, publisher) = await SetUpAsync();

        await publisher.PublishAsync(await PublicationAsync(blobs, "talk", frames: 12), CancellationToken.None);
        await publisher.PublishAsync(await PublicationAsync(blobs, "talk", frames: 9), CancellationToken.None);
        var again = await IndexAsync(blobs);

        Assert.Equal(["clip-00", "talk"], again["clips"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(9, again["clips"]![1]!["frames"]!.GetValue<int>());
        var bundledName = await PublicationAsync(blobs, "clip-00", frames: 3);
        await Assert.ThrowsAsync<ClipNameTakenException>(() => publisher.PublishAsync(bundledName, CancellationToken.None));
        Assert.Equal("track-flame", (await IndexAsync(blobs))["clips"]![0]!["source"]!.GetValue<string>());
    }

    [Fact]
    public void Chunks_cover_every_frame_once_and_a_short_tail_joins_the_chunk_before_it()
    {
        Assert.Equal([new AnimationChunk(0, 0, 7)], AnimationChunks.Plan(7, 50));
        Assert.Equal([new AnimationChunk(0, 0, 50), new AnimationChunk(1, 50, 50)], AnimationChunks.Plan(100, 50));
        Assert.Equal([new AnimationChunk(0, 0, 50), new AnimationChunk(1, 50, 60)], AnimationChunks.Plan(110, 50)); // 10 < 50/4
        Assert.Equal(3, AnimationChunks.Plan(113, 50).Count); // 13 >= 50/4
        foreach (var total in new[] { 1, 49, 50, 51, 199, 3000 })
        {
            var chunks = AnimationChunks.Plan(total, 50);
            Assert.Equal(total, chunks.Sum(c => c.FrameCount));
            Assert.All(chunks.Skip(1).Zip(chunks), p => Assert.Equal(p.Second.FirstFrame + p.Second.FrameCount, p.First.FirstFrame));
        }
    }

    [Fact]
    public void The_animation_id_is_a_content_hash_of_run_video_name_fps_and_mode()
    {
        var sha = new string('a', 64);
        var id = AnimationIdentity.For(RunId, sha, "talk", 25, ExpressionTransfer.Relative);
        Assert.True(AnimationIdentity.IsValid(id));
        Assert.StartsWith("anim-", id);
        Assert.Equal(id, AnimationIdentity.For(RunId, sha, "talk", 25, ExpressionTransfer.Relative));
        Assert.Equal(5, new[]
        {
            id, AnimationIdentity.For(RunId, new string('b', 64), "talk", 25, ExpressionTransfer.Relative),
            AnimationIdentity.For(RunId, sha, "talk2", 25, ExpressionTransfer.Relative), AnimationIdentity.For(RunId, sha, "talk", 30, ExpressionTransfer.Relative),
            AnimationIdentity.For(RunId, sha, "talk", 25, ExpressionTransfer.Absolute),
        }.Distinct().Count());
        Assert.False(AnimationIdentity.IsValid("anim-../../x"));
        Assert.False(AnimationIdentity.IsValid("anim-0123456789ABCDEF"));
    }

    private static async Task<(InMemoryBlobStore Blobs, AnimationPublisher Publisher)> SetUpAsync()
    {
        var blobs = new InMemoryBlobStore();
        await blobs.WriteAsync(StorageLayout.AvatarArtifact(RunId, "animation/index.json"), BinaryData.FromString(Index), "application/json", default);
        return (blobs, new AnimationPublisher(blobs, NullLogger<AnimationPublisher>.Instance));
    }

    private static BlobRef Stage(string file) => StorageLayout.StageOutput(RunId, PipelineStage.VideoClip, "anim-0000000000000001", file);

    /// <summary>The fan-in's outputs in its stage folder (a clip file whose metadata says <paramref name="frames"/>), and the publication of them.</summary>
    private static async Task<AnimationPublication> PublicationAsync(InMemoryBlobStore blobs, string name, int frames)
    {
        var outputs = new Dictionary<string, BlobRef>
        {
            [Files.Clip] = await blobs.WriteAsync(Stage(Files.Clip), VideoAnimationOrchestratorTests.ClipFile(frames), "application/octet-stream", default),
            [Files.PreviewMp4] = await blobs.WriteAsync(Stage(Files.PreviewMp4), BinaryData.FromString($"mp4 of {name}"), "video/mp4", default),
            [Files.PreviewGif] = await blobs.WriteAsync(Stage(Files.PreviewGif), BinaryData.FromString($"gif of {name}"), "image/gif", default),
        };
        return new AnimationPublication(RunId, "anim-0000000000000001", name, 25, 999, outputs);
    }

    private static async Task<JsonObject> IndexAsync(InMemoryBlobStore blobs) =>
        JsonNode.Parse((await blobs.TryReadAsync(StorageLayout.AvatarArtifact(RunId, "animation/index.json"), default))!.ToString())!.AsObject();
}
