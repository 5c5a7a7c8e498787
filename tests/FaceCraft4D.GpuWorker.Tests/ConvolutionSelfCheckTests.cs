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
        Assert.True(convolution.GetProperty("conv2dRelativeError").GetDouble() >= 0);
        Assert.True(convolution.GetProperty("conv3dRelativeError").GetDouble() >= 0);
    }
}
