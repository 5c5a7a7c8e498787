using System.Text.Json.Nodes;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>What is refused before a run starts, and how settings are resolved.</summary>
public sealed class IntakeTests
{
    private readonly PortraitValidator validator = new(Options.Create(new PortraitValidationOptions { MaxBytes = 2_000_000 }));
    private readonly RunSettingsResolver resolver = new(Options.Create(new PipelineOptions()));

    [Theory]
    [InlineData("jpeg")]
    [InlineData("png")]
    public void A_decodable_photo_passes_with_its_format_and_size(string format)
    {
        var bytes = format == "jpeg" ? TestPortraits.Jpeg(1, 300, 200) : TestPortraits.Png(1, 300, 200);

        var portrait = validator.Validate(new BinaryData(bytes));

        Assert.Equal((format, 300, 200), (portrait.Format, portrait.Width, portrait.Height));
        Assert.Equal(ContentHash.Of(bytes), portrait.Sha256);
    }

    public static TheoryData<string, byte[]> BadUploads => new()
    {
        { "empty", [] },
        { "not-an-image", "%PDF-1.7 not an image"u8.ToArray() },
        { "truncated", TestPortraits.TruncatedJpeg(2) },
        { "decompression-bomb", TestPortraits.PngBombHeader() },
        { "unsupported-format", TestPortraits.Gif(3) },
        { "too-small", TestPortraits.Png(4, 100, 60) },
        { "too-large", new byte[2_000_001] },
    };

    [Theory]
    [MemberData(nameof(BadUploads), DisableDiscoveryEnumeration = true)]
    public void Bad_uploads_are_refused_with_a_reason_and_a_message(string reason, byte[] bytes)
    {
        var error = Assert.Throws<InvalidPortraitException>(() => validator.Validate(new BinaryData(bytes)));

        Assert.Equal(reason, error.ReasonCode);
        Assert.Equal(reason == "too-large" ? 413 : 400, error.StatusCode);
        Assert.True(error.Message.Length > 20, error.Message);
    }

    [Fact]
    public void Settings_start_from_the_preset_and_accept_known_overrides_only()
    {
        Assert.Equal(PipelinePresets.Paper, resolver.Resolve("paper", null));
        Assert.Equal(PipelinePresets.Preview, resolver.Resolve(null, null));
        Assert.Equal(96, resolver.Resolve("preview", JsonNode.Parse("{\"renderSize\": 96}")!.AsObject()).RenderSize);

        Assert.Contains("Unknown preset", Assert.Throws<InvalidSettingsException>(() => resolver.Resolve("ultra", null)).Message);
        Assert.Contains("Unknown or read-only setting 'colour'", Assert.Throws<InvalidSettingsException>(
            () => resolver.Resolve(null, JsonNode.Parse("{\"colour\": 1}")!.AsObject())).Message);
        Assert.Contains("read-only", Assert.Throws<InvalidSettingsException>(
            () => resolver.Resolve(null, JsonNode.Parse("{\"preset\": \"paper\"}")!.AsObject())).Message);
        Assert.Contains("RenderSize", Assert.Throws<InvalidSettingsException>(
            () => resolver.Resolve(null, JsonNode.Parse("{\"renderSize\": 1}")!.AsObject())).Message);
    }

    [Theory]
    [InlineData("avatar.ply", true)]
    [InlineData("previews/turntable.gif", true)]
    [InlineData("../runs/x", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("a//b", false)]
    [InlineData("a/./b", false)]
    [InlineData("name with space", false)]
    public void Artifact_names_cannot_escape_the_avatar_folder(string name, bool safe) =>
        Assert.Equal(safe, AvatarRunService.IsSafeArtifactName(name));
}
