using System.Net;
using System.Text.Json;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>
/// The worker checks its CPU's unaligned-channel convolutions at start (float32 against float64) and reports the result on
/// <c>/healthz</c>: affected or not (that depends on the CPU), and the channel-aligned form right either way.
/// </summary>
public sealed class ConvolutionSelfCheckTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Health_reports_the_start_up_convolution_check()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50));
        using var client = new HttpClient { BaseAddress = worker.Url };
        JsonElement convolution = default;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            using var health = await client.GetAsync("healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var document = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            convolution = document.RootElement.GetProperty("convolution").Clone();
            if (convolution.GetProperty("status").GetString() != "pending") break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Contains(convolution.GetProperty("status").GetString(), new[] { "affected", "unaffected" });
        Assert.True(convolution.GetProperty("alignedCorrect").GetBoolean(), convolution.ToString());
        AssertError(convolution.GetProperty("conv2dRelativeError"));
        AssertError(convolution.GetProperty("conv3dRelativeError"));
    }

    [Fact]
    public void A_convolution_that_gives_NaN_is_affected_and_still_reports_as_json()
    {
        // The bug sometimes gives NaN (seen on an AMD EPYC in CI): /healthz answered 500, because JSON has no NaN.
        var check = new FaceCraft4D.Weights.Convolution.UnalignedConvolutionCheck(double.PositiveInfinity, 3e-7, double.NaN, 3e-7);

        Assert.True(check.Conv2dAffected);
        Assert.True(check.Conv3dAffected);
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(FaceCraft4D.GpuWorker.Diagnostics.ConvolutionSelfCheck.Describe(check)));
        Assert.Equal("affected", document.RootElement.GetProperty("status").GetString());
        Assert.Equal("non-finite", document.RootElement.GetProperty("conv3dRelativeError").GetString());
        Assert.Equal("non-finite", document.RootElement.GetProperty("conv2dRelativeError").GetString());
        Assert.True(document.RootElement.GetProperty("alignedCorrect").GetBoolean());
    }

    private static void AssertError(JsonElement error) =>
        Assert.True(error.ValueKind == JsonValueKind.String ? error.GetString() == "non-finite" : error.GetDouble() >= 0, error.ToString());
}
