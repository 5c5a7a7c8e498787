using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Endpoints;
using FaceCraft4D.GpuWorker.Screening;
using FaceCraft4D.Vision.Video;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>The video screen's decision on the faces found on the sampled frames (the probe's limits are video-io's tests).</summary>
public sealed class VideoScreenVerdictTests
{
    private static readonly VideoFacts Facts = new(TimeSpan.FromSeconds(6.5), 640, 360, "h264", "mov,mp4", 30, false, 0, true, 123456);

    [Theory]
    [InlineData(8, 0, 0)]
    [InlineData(8, 3, 1)]
    [InlineData(8, 4, 1)] // half is not most
    [InlineData(0, 0, 0)]
    public async Task A_face_on_at_most_half_of_the_sampled_frames_is_no_face(int sampled, int withFace, int most)
    {
        var (status, body) = await ExecuteAsync(VideoScreenEndpoints.Verdict(Facts, new VideoFaceSample(sampled, withFace, 0, most, "tiny")));

        Assert.Equal(422, status);
        Assert.Equal("no-face", body.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Several_faces_are_accepted_with_a_note_that_the_largest_is_taken_and_the_facts_come_back()
    {
        var (status, body) = await ExecuteAsync(VideoScreenEndpoints.Verdict(Facts, new VideoFaceSample(8, 7, 2, 3, "tiny")));

        Assert.Equal(200, status);
        var verdict = body.Deserialize<VideoScreening>(ContractJson.Options)!;
        Assert.True(verdict.Accepted);
        Assert.Equal((6.5, 640, 360, "h264", true), (verdict.DurationSeconds, verdict.Width, verdict.Height, verdict.Codec, verdict.HasAudio));
        Assert.Equal(162, verdict.FramesAt(25));
        Assert.Contains(verdict.Warnings, w => w.Contains("took the largest", StringComparison.Ordinal) && w.Contains("up to 3", StringComparison.Ordinal));
        Assert.Contains(verdict.Warnings, w => w.StartsWith("no face on 1 of 8", StringComparison.Ordinal));
    }

    private static async Task<(int Status, JsonElement Body)> ExecuteAsync(IResult result)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        using var document = await JsonDocument.ParseAsync(context.Response.Body);
        return (context.Response.StatusCode, document.RootElement.Clone());
    }
}
