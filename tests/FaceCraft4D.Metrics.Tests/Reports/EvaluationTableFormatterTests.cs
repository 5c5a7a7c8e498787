using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Metrics.Protocol;
using FaceCraft4D.Metrics.Reports;

namespace FaceCraft4D.Metrics.Tests.Reports;

public class EvaluationTableFormatterTests
{
    private static AvatarMetricsDocument Doc(string runId)
    {
        var views = new List<ProtocolView>
        {
            new("reference", ViewKind.Reference, 5, 0, null, null, null),
            new("frontal", ViewKind.Static, 0, 0, null, null, null),
            new("left-frontal", ViewKind.Static, 30, 0, null, null, null),
            new("right-frontal", ViewKind.Static, -30, 0, null, null, null),
            new("left", ViewKind.Static, 60, 0, null, null, null),
            new("anim:jaw-open:frontal:000", ViewKind.Animation, 0, 0, "jaw-open", 0, null),
        };
        static ViewMetrics V(string name, ViewKind kind, double? id, double? psnr = null, double? ssim = null, double? faceres = null) => new(name, kind,
            new Dictionary<string, double?> { [MetricNames.IdSimilarity] = id, [MetricNames.IdSimilarityFaceRes] = faceres, [MetricNames.Psnr] = psnr, [MetricNames.Ssim] = ssim },
            id is null ? new Dictionary<string, string> { [MetricNames.IdSimilarity] = EvaluationViewSummary.NoFaceNote } : new Dictionary<string, string>());
        var metrics = new Dictionary<string, MetricResult> { [MetricNames.Psnr] = MetricResult.Computed(MetricNames.Psnr, 24.5, "psnr") };
        return new AvatarMetricsDocument(AvatarMetricsDocument.CurrentSchema, runId, DateTimeOffset.UnixEpoch,
            new ProtocolDescription(512, views, ["jaw-open"]), metrics, new Dictionary<string, IReadOnlyDictionary<string, MetricResult>>(),
            [
                V("reference", ViewKind.Reference, 0.91, 24.5, 0.8123456, 0.97),
                V("frontal", ViewKind.Static, 0.88, faceres: 0.734),
                V("left-frontal", ViewKind.Static, 0.7, faceres: 0.5),
                V("right-frontal", ViewKind.Static, 0.65),
                V("left", ViewKind.Static, null),
                V("anim:jaw-open:frontal:000", ViewKind.Animation, 0.1),
            ],
            new Dictionary<string, string>());
    }

    [Fact]
    public void Views_are_summarised_from_metrics_json_with_face_detection_per_view()
    {
        var views = EvaluationViewSummary.From(Doc("r"));
        Assert.Equal(["reference", "frontal", "left-frontal", "right-frontal", "left"], views.Select(v => v.View));
        Assert.Equal([true, true, true, true, false], views.Select(v => v.FaceDetected));
        Assert.Equal(30, views[2].YawDegrees);
        Assert.Equal(24.5, views[0].Psnr);
        Assert.Equal([0.97, 0.734, 0.5, null, null], views.Select(v => v.IdSimilarityFaceRes));
    }

    [Fact]
    public void Table_has_one_aligned_row_per_image_with_reference_metrics_faces_ids_of_both_models_and_run_times()
    {
        var report = EvaluationReportBuilder.Build("set", DateTimeOffset.UnixEpoch,
        [
            new EvaluationRunRecord("run-a", "hopper.jpg", EvaluationRunStatus.Completed, Doc("run-a")),
            new EvaluationRunRecord("run-b", "two-faces.jpg", EvaluationRunStatus.Failed, null, "rejected"),
        ]);

        var text = new EvaluationTableFormatter().Format(report, new Dictionary<string, EvaluationRunTime> { ["run-a"] = new(TimeSpan.FromSeconds(245), TimeSpan.FromSeconds(198.6)) });
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("image", lines[0]);
        Assert.Contains("face 0/+30/-30/+60/-60", lines[0]);
        Assert.Contains("ID face-api 0/+30/-30/+60/-60", lines[0]);
        Assert.Contains("ID faceres 0/+30/-30/+60/-60", lines[0]);
        Assert.Matches("^-+( +-+)+$", lines[1]);
        Assert.All(lines, l => Assert.Equal(lines[0].Length, l.Length));
        var a = lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["hopper.jpg", "completed", "24.50", "0.8123", "YYYn-", "0.88/0.70/0.65/-/-", "0.73/0.50/-/-/-", "0.91/0.97", "4m05s", "3m18s"], a);
        var b = lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["two-faces.jpg", "failed", "-", "-", "-----", "-/-/-/-/-", "-/-/-/-/-", "-/-", "-", "-"], b);
    }
}
