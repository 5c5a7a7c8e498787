using System.Text;
using static FaceCraft4D.Metrics.Reports.ReportFormatting;

namespace FaceCraft4D.Metrics.Reports;

/// <summary>
/// Renders <c>report.html</c>: one self-contained page (inline CSS, a few lines of inline JS for sortable columns,
/// inline SVG charts; no external resources) with the metric summary (mean, std, min, max, count, models, skips), the
/// set-level FID, one bar chart per metric, and the per-image table (skip reasons and errors as text and tooltips).
/// The output is well-formed XML (XHTML syntax) so it can also be parsed by XML tooling.
/// </summary>
public static class EvaluationReportHtml
{
    public static string Render(EvaluationReport report)
    {
        var sb = new StringBuilder();
        int completed = report.Entries.Count(e => e.Status == EvaluationRunStatus.Completed);
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
        sb.Append($"<title>FaceCraft4D evaluation: {Html(report.SetName)}</title><style>{Css}</style></head><body>");
        sb.Append($"<header><h1>Evaluation report: {Html(report.SetName)}</h1><p class=\"meta\">Created {Html(report.CreatedAt.ToString("u"))} · ");
        sb.Append($"{report.Entries.Count} images · {completed} completed · {report.Entries.Count - completed} not completed · schema {Html(report.Schema)}</p></header>");

        sb.Append("<section id=\"summary\"><h2>Summary</h2><table class=\"summary\"><thead><tr><th>metric</th><th>better</th><th>n</th><th>mean</th><th>std</th><th>min</th><th>max</th><th>model</th><th>skipped</th></tr></thead><tbody>");
        foreach (var s in report.Summary)
        {
            string infinite = s.InfiniteCount > 0 ? $" (+{s.InfiniteCount} ∞)" : "";
            string skipped = s.SkippedCount == 0 ? "" : $"{s.SkippedCount}: {string.Join("; ", s.SkipReasons)}";
            sb.Append($"<tr id=\"summary-{Slug(s.Metric)}\"><th scope=\"row\">{Html(s.Metric)}</th><td>{(s.HigherIsBetter ? "higher" : "lower")}</td><td>{s.Count}{Html(infinite)}</td>");
            sb.Append($"<td>{Html(Value(s.Metric, s.Mean))}</td><td>{Html(Value(s.Metric, s.Std))}</td><td>{Html(Value(s.Metric, s.Min))}</td><td>{Html(Value(s.Metric, s.Max))}</td>");
            sb.Append($"<td class=\"model\">{Html(string.Join(", ", s.Models))}</td><td class=\"skip\">{Html(skipped)}</td></tr>");
        }
        sb.Append("</tbody></table>");
        var fid = report.SetFid;
        sb.Append("<p id=\"set-fid\"><strong>Set FID</strong> (all renders vs all references): ");
        sb.Append(fid.IsSkipped ? $"<span class=\"skip\">skipped: {Html(fid.SkippedReason)}</span>" : $"{Html(Value(MetricNames.Fid, fid.Value))} <span class=\"model\">({Html(fid.Model)}, {fid.Samples} renders)</span>");
        sb.Append("</p></section>");

        sb.Append("<section id=\"plots\"><h2>Per-image plots</h2><div class=\"plots\">");
        foreach (var s in report.Summary.Where(s => s.Count > 0))
        {
            var bars = report.Entries.Where(e => e.Status == EvaluationRunStatus.Completed)
                .Select(e => (e.ImageName, e.Metrics.TryGetValue(s.Metric, out var r) && !r.IsSkipped ? r.Value : null)).ToList();
            sb.Append($"<figure id=\"plot-{Slug(s.Metric)}\"><figcaption>{Html(s.Metric)} ({Html(MetricNames.Unit(s.Metric))}, {(s.HigherIsBetter ? "higher" : "lower")} is better)</figcaption>");
            sb.Append(SvgBarChart.Render(s.Metric, bars, s.Mean)).Append("</figure>");
        }
        sb.Append("</div></section>");

        sb.Append("<section id=\"images\"><h2>Per-image results</h2><table id=\"runs\" class=\"sortable\"><thead><tr><th>image</th><th>run</th><th>status</th>");
        foreach (var m in MetricNames.All) sb.Append($"<th class=\"num\">{Html(m)}</th>");
        sb.Append("<th>error</th></tr></thead><tbody>");
        foreach (var e in report.Entries)
        {
            sb.Append($"<tr class=\"status-{Slug(e.Status.ToString())}\"><td>{Html(e.ImageName)}</td><td class=\"run\">{Html(e.RunId)}</td><td>{Html(e.Status.ToString())}</td>");
            foreach (var m in MetricNames.All)
            {
                if (!e.Metrics.TryGetValue(m, out var r)) { sb.Append("<td class=\"num\" data-v=\"\">—</td>"); continue; }
                if (r.IsSkipped) { sb.Append($"<td class=\"num skip\" data-v=\"\" title=\"{Html(r.SkippedReason)}\">skipped</td>"); continue; }
                string sortKey = r.Value is { } v ? (double.IsPositiveInfinity(v) ? "1e308" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)) : "";
                sb.Append($"<td class=\"num\" data-v=\"{sortKey}\" title=\"{Html(r.Model)}; n = {r.Samples}\">{Html(Value(m, r.Value))}</td>");
            }
            sb.Append($"<td class=\"error\">{Html(e.Error)}</td></tr>");
        }
        sb.Append("</tbody></table></section>");
        sb.Append("<footer>Generated by FaceCraft4D.Metrics. Values are means over the protocol views of each avatar; see metrics.json for per-view values.</footer>");
        sb.Append($"<script>//<![CDATA[\n{Script}\n//]]></script></body></html>\n");
        return sb.ToString();
    }

    private const string Css = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d232b;background:#fafbfc}
        h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.15rem;margin:28px 0 8px}.meta{color:#5b6673;margin:0}
        table{border-collapse:collapse;background:#fff;font-size:.9rem}th,td{border:1px solid #dde2e8;padding:4px 8px;text-align:left}
        thead th{background:#eef2f6;position:sticky;top:0}.sortable thead th{cursor:pointer}.num{text-align:right;font-variant-numeric:tabular-nums}
        .skip{color:#8a6d1f}.model{color:#5b6673;font-size:.8rem}.run{font-family:ui-monospace,monospace;font-size:.8rem}
        .error{color:#b3261e}tr.status-failed td,tr.status-terminated td,tr.status-timedout td{background:#fdf1f0}
        .plots{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;background:#fff;border:1px solid #dde2e8;padding:8px}
        figcaption{font-weight:600;margin-bottom:4px}.chart{width:720px;max-width:100%;height:auto}
        .bar{fill:#3b7dd8}.axis{stroke:#444;stroke-width:1}.grid{stroke:#e5e9ee;stroke-width:1}
        .mean{stroke:#d8573b;stroke-width:1.5;stroke-dasharray:5 4}.tick{font-size:10px;fill:#444}.label{font-size:10px;fill:#333}
        .missing{fill:#999}footer{margin-top:32px;color:#5b6673;font-size:.8rem}
        """;

    private const string Script = """
        document.querySelectorAll('table.sortable').forEach(function (table) {
          table.querySelectorAll('thead th').forEach(function (th, col) {
            th.addEventListener('click', function () {
              var body = table.tBodies[0];
              var rows = Array.prototype.slice.call(body.rows);
              var asc = th.getAttribute('data-sort') !== 'asc';
              table.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('data-sort'); });
              th.setAttribute('data-sort', asc ? 'asc' : 'desc');
              rows.sort(function (a, b) {
                var x = a.cells[col], y = b.cells[col];
                var xv = x.getAttribute('data-v'), yv = y.getAttribute('data-v');
                var c = (xv !== null && yv !== null) ? ((xv === '' ? -Infinity : parseFloat(xv)) - (yv === '' ? -Infinity : parseFloat(yv)))
                                                       : x.textContent.localeCompare(y.textContent);
                return asc ? c : -c;
              });
              rows.forEach(function (r) { body.appendChild(r); });
            });
          });
        });
        """;
}
