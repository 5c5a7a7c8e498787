using System.Text.Json;
using FaceCraft4D.Parity.Tests.Harness;
using Xunit;

namespace FaceCraft4D.Parity.Tests;

/// <summary>A runner must name a kwarg it cannot honour rather than run a case silently wrong.</summary>
public sealed class UpstreamKwargsTests
{
    [Fact]
    public void Unknown_kwargs_are_named_and_defaults_apply_to_missing_ones()
    {
        using var doc = JsonDocument.Parse("""{"layers": [1, 2, 3, 4], "fp16": false, "norm_layer": "gn", "zero_init": true}""");
        var kw = new UpstreamKwargs(doc.RootElement, "m/caseZ");

        var ex = Assert.Throws<NotSupportedException>(() => kw.RejectUnknown("layers", "fp16", "dropout"));
        Assert.Contains("norm_layer", ex.Message);
        Assert.Contains("zero_init", ex.Message);
        Assert.Contains("m/caseZ", ex.Message);
        Assert.Equal([1, 2, 3, 4], kw.Ints("layers"));
        Assert.Equal(512, kw.Int("num_features", 512));
        Assert.Throws<ArgumentException>(() => kw.Int("heads"));
        Assert.Contains("fp16 = false", kw.Unsupported("fp16", "why").Message);
    }
}
