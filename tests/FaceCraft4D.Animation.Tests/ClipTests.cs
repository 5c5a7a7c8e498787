using FaceCraft4D.Animation.Clips;

namespace FaceCraft4D.Animation.Tests;

/// <summary>The clip file format and the bundled clips.</summary>
public sealed class ClipTests
{
    [Fact]
    public void Bundled_clip_files_are_exactly_what_the_authoring_code_makes()
    {
        // FC4D_WRITE_CLIPS=1 regenerates infra/clips from BundledClipAuthoring (then rebuild to embed them).
        var folder = Path.Combine(RepositoryRoot.Locate(), "infra", "clips");
        var authored = BundledClipAuthoring.Create();
        if (Environment.GetEnvironmentVariable("FC4D_WRITE_CLIPS") == "1")
            foreach (var (file, clip) in authored) File.WriteAllText(Path.Combine(folder, file), ClipFile.Write(clip));
        Assert.Equal(8, authored.Count);
        foreach (var (file, clip) in authored)
            Assert.Equal(ClipFile.Write(clip), File.ReadAllText(Path.Combine(folder, file)));
        Assert.Equal(authored.Select(a => a.FileName), ClipLibrary.BundledFileNames());
    }

    [Fact]
    public void The_bundled_library_has_eight_named_clips_that_start_and_end_neutral()
    {
        var library = ClipLibrary.Bundled();
        Assert.Equal(["smile", "open-mouth", "talk", "brow-raise", "blink", "surprise", "pout", "sweep"], library.Clips.Select(c => c.Name));
        foreach (var clip in library.Clips)
        {
            Assert.Equal(25, clip.Fps);
            Assert.InRange(clip.FrameCount, 48, 96);
            foreach (var frame in new[] { clip.Frames[0], clip.Frames[^1] })
                Assert.All(frame.Controls!.Values, v => Assert.True(Math.Abs(v) < 1e-3, $"{clip.Name} does not start/end neutral ({v})"));
            Assert.True(clip.Frames.Max(f => f.Controls!.Values.Max(Math.Abs)) >= 0.5f, $"{clip.Name} never reaches half activation");
        }
        Assert.Same(library.Get(3), library.Get(11)); // cyclic for ClipCount above eight
    }

    [Fact]
    public void A_clip_round_trips_through_its_file_format_with_every_channel()
    {
        var clip = new DrivingClip("custom", "from a tracked video", 30,
        [
            new ClipFrame(new Dictionary<string, float> { ["smile"] = 0.5f }, [0.1f, -0.2f, 0.3f], [0.2f, 0, 0], [0, 0.1f, 0], [0, 0, 0, 0, 0, 0.05f]),
            new ClipFrame(null, [0.4f, 0f, -1f], [0.1f, 0, 0.01f], null, null),
        ], "flame2023");
        var back = ClipFile.Parse(ClipFile.Write(clip));
        Assert.Equal(clip.Name, back.Name);
        Assert.Equal("flame2023", back.ExpressionBasis);
        Assert.Equal(30, back.Fps);
        Assert.Equal(clip.Frames[0].Expression, back.Frames[0].Expression);
        Assert.Equal(clip.Frames[0].Eyes, back.Frames[0].Eyes);
        Assert.Equal(0.5f, back.Frames[0].Controls!["smile"]);
        Assert.Null(back.Frames[1].Neck);
        Assert.Equal(clip.Frames[1].Jaw, back.Frames[1].Jaw);
    }

    [Theory]
    [InlineData("{\"format\":\"other/1\",\"name\":\"x\",\"fps\":25,\"frameCount\":1,\"frames\":[{}]}", "format")]
    [InlineData("{\"format\":\"fc4d-clip/1\",\"name\":\"x\",\"fps\":25,\"frameCount\":2,\"frames\":[{}]}", "frameCount")]
    [InlineData("{\"format\":\"fc4d-clip/1\",\"name\":\"x\",\"fps\":25,\"frameCount\":1,\"frames\":[{\"jaw\":[1,2]}]}", "jaw")]
    [InlineData("{\"format\":\"fc4d-clip/1\",\"name\":\"x\",\"fps\":25,\"frameCount\":1,\"frames\":[{\"expression\":[1,2]}]}", "expressionBasis")]
    [InlineData("{\"format\":\"fc4d-clip/1\",\"name\":\"x\",\"fps\":0,\"frameCount\":1,\"frames\":[{}]}", "fps")]
    [InlineData("not json", "not a clip file")]
    public void Bad_clip_files_are_refused_with_the_reason(string json, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => ClipFile.Parse(json, "bad.json"));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Resampling_keeps_the_first_and_last_frame_and_interpolates_linearly()
    {
        var frames = Enumerable.Range(0, 5).Select(i => new ClipFrame(new Dictionary<string, float> { ["jawOpen"] = i }, null, [i * 0.1f, 0, 0])).ToArray();
        var clip = new DrivingClip("ramp", "", 25, frames);
        var three = clip.Resampled(3);
        Assert.Equal([0f, 2f, 4f], three.Frames.Select(f => f.Controls!["jawOpen"]));
        var nine = clip.Resampled(9);
        Assert.Equal(0.5f, nine.Frames[1].Controls!["jawOpen"], 5);
        Assert.Equal(0.05f, nine.Frames[1].Jaw![0], 5);
        Assert.Equal(clip.DurationSeconds, nine.DurationSeconds, 6);
    }
}
