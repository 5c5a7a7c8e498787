using System.Xml;
using System.Xml.Linq;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Metrics.Protocol;
using FaceCraft4D.Metrics.Reports;

namespace FaceCraft4D.Metrics.Tests.Reports;

public class EvaluationReportTests
{
    private static AvatarMetricsDocument Doc(string runId, double psnr, double ssim, double? id, FidFeatureBlock? fid = null)
    {
        var metrics = new Dictionary<string, MetricResult>
        {
            [MetricNames.Psnr] = MetricResult.Computed(MetricNames.Psnr, psnr, "reference:psnr"),
            [MetricNames.Ssim] = MetricResult.Computed(MetricNames.Ssim, ssim, "reference:ssim"),
            [MetricNames.Lpips] = MetricResult.Skipped(MetricNames.Lpips, "model folder models/lpips/v0.1 not found"),
            [MetricNames.IdSimilarity] = id is null ? MetricResult.Skipped(MetricNames.IdSimilarity, "no face detected in the reference image")
                                                    : MetricResult.Computed(MetricNames.IdSimilarity, id.Value, "face-api.js", 29),
        };
        return new AvatarMetricsDocument(AvatarMetricsDocument.CurrentSchema, runId, DateTimeOffset.UnixEpoch,
            new ProtocolDescription(512, [], []), metrics, new Dictionary<string, IReadOnlyDictionary<string, MetricResult>>(),
            [], metrics.ToDictionary(kv => kv.Key, kv => kv.Value.Model ?? ""), fid);
    }

    private static List<EvaluationRunRecord> Runs() =>
    [
        new("fc4d-aaaaaaaaaaaaaaaa-00000001", "alice.jpg", EvaluationRunStatus.Completed, Doc("a", 20, 0.8, 0.9)),
        new("fc4d-bbbbbbbbbbbbbbbb-00000001", "bob<script>alert(1)</script>.png", EvaluationRunStatus.Completed, Doc("b", 30, 0.9, 0.7)),
        new("fc4d-cccccccccccccccc-00000001", "carol.jpg", EvaluationRunStatus.Completed, Doc("c", double.PositiveInfinity, 1.0, null)),
        new("fc4d-dddddddddddddddd-00000001", "dave.jpg", EvaluationRunStatus.Failed, null, "Preprocess: no face found (no_face)"),
    ];

    [Fact]
    public void Summary_HasMeanStdMinMax_OverCompletedFiniteValues_AndCountsSkipsAndInfinities()
    {
        var report = EvaluationReportBuilder.Build("smoke", DateTimeOffset.UnixEpoch, Runs());
        var psnr = report.Summary.Single(s => s.Metric == MetricNames.Psnr);
        Assert.Equal(3, psnr.Count);
        Assert.Equal(1, psnr.InfiniteCount);
        Assert.Equal(25, psnr.Mean);
        Assert.Equal(5, psnr.Std);
        Assert.Equal(20, psnr.Min);
        Assert.Equal(30, psnr.Max);
        var ssim = report.Summary.Single(s => s.Metric == MetricNames.Ssim);
        Assert.Equal(0.9, ssim.Mean!.Value, 12);
        Assert.Equal(Math.Sqrt(0.02 / 3), ssim.Std!.Value, 12);
        var id = report.Summary.Single(s => s.Metric == MetricNames.IdSimilarity);
        Assert.Equal(2, id.Count);
        Assert.Equal(1, id.SkippedCount);
        Assert.Equal(["no face detected in the reference image"], id.SkipReasons);
        var lpips = report.Summary.Single(s => s.Metric == MetricNames.Lpips);
        Assert.Equal(0, lpips.Count);
        Assert.Null(lpips.Mean);
        Assert.Equal(3, lpips.SkippedCount);
        Assert.Equal("Preprocess: no face found (no_face)", report.Entries[3].Error);
        Assert.True(report.SetFid.IsSkipped);
    }

    [Fact]
    public void SetFid_PoolsTheFeaturesOfAllRuns()
    {
        float[] R(float a, float b) => [a, b];
        var runs = new List<EvaluationRunRecord>
        {
            new("r1", "1.jpg", EvaluationRunStatus.Completed, Doc("1", 20, 0.8, 0.9, FidFeatureBlock.Create("inception:x", [R(0, 0), R(2, 0)], [R(1, 1)]))),
            new("r2", "2.jpg", EvaluationRunStatus.Completed, Doc("2", 20, 0.8, 0.9, FidFeatureBlock.Create("inception:x", [R(0, 2), R(2, 2)], [R(1, 3)]))),
        };
        var report = EvaluationReportBuilder.Build("fid", DateTimeOffset.UnixEpoch, runs);
        // renders: mean (1, 1), cov diag(4/3, 4/3); references: (1,1),(1,3): mean (1, 2), cov [[0,0],[0,2]]
        double expected = 1 + (4.0 / 3 + 4.0 / 3) + 2 - 2 * Math.Sqrt(4.0 / 3 * 2);
        Assert.False(report.SetFid.IsSkipped);
        Assert.Equal(expected, report.SetFid.Value!.Value, 9);
        Assert.Equal(4, report.SetFid.Samples);
    }

    [Fact]
    public void Html_IsSelfContained_WellFormed_Escaped_AndHasAChartPerComputedMetric()
    {
        var report = EvaluationReportBuilder.Build("smoke <set>", DateTimeOffset.UnixEpoch, Runs());
        var html = EvaluationReportHtml.Render(report);

        var doc = XDocument.Load(XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }));
        XNamespace x = "http://www.w3.org/1999/xhtml";
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.DoesNotContain(doc.Descendants(), e => e.Name == x + "link" || e.Name == x + "img" || e.Name == x + "iframe");
        Assert.DoesNotContain(doc.Descendants(x + "script"), s => s.Attribute("src") is not null);
        Assert.DoesNotContain(doc.Descendants().Attributes(), a => (a.Name == "href" || a.Name == "src") && a.Value.Contains("//"));
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.Contains("bob&lt;script&gt;alert(1)&lt;/script&gt;.png", html);

        // charts: psnr, ssim, id_similarity have values; lpips has none
        var figures = doc.Descendants(x + "figure").Select(f => (string)f.Attribute("id")!).ToList();
        Assert.Equal(["plot-psnr", "plot-ssim", "plot-id-similarity"], figures);
        var psnrChart = doc.Descendants(x + "figure").First().Descendants(svg + "svg").Single();
        Assert.Equal(3, psnrChart.Descendants(svg + "rect").Count(r => ((string?)r.Attribute("class"))?.StartsWith("bar") == true));
        Assert.Single(psnrChart.Descendants(svg + "rect"), r => (string?)r.Attribute("class") == "bar infinite");

        var rows = doc.Descendants(x + "table").Single(t => (string?)t.Attribute("id") == "runs").Element(x + "tbody")!.Elements(x + "tr").ToList();
        Assert.Equal(4, rows.Count);
        Assert.Contains(rows[3].Descendants(x + "td"), td => td.Value == "Preprocess: no face found (no_face)");
        Assert.Contains(rows[0].Descendants(x + "td"), td => (string?)td.Attribute("title") == "model folder models/lpips/v0.1 not found");
        Assert.Contains(">∞<", html);
        Assert.Contains("25.00", doc.Descendants(x + "tr").Single(t => (string?)t.Attribute("id") == "summary-psnr").ToString());
    }

    [Fact]
    public void ReportJson_RoundTrips()
    {
        var report = EvaluationReportBuilder.Build("smoke", DateTimeOffset.UnixEpoch, Runs());
        var back = MetricsJson.Deserialize<EvaluationReport>(MetricsJson.Serialize(report));
        Assert.Equal(report.Entries.Count, back.Entries.Count);
        Assert.True(double.IsPositiveInfinity(back.Entries[2].Metrics[MetricNames.Psnr].Value!.Value));
        Assert.Equal(EvaluationRunStatus.Failed, back.Entries[3].Status);
        Assert.Contains("\"failed\"", MetricsJson.Serialize(report));
    }
}
