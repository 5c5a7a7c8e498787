using System.Globalization;
using System.Net;

namespace FaceCraft4D.Metrics.Reports;

/// <summary>Number and text formatting of the report page (invariant culture, HTML-encoded).</summary>
internal static class ReportFormatting
{
    public static string Html(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Value(string metric, double? value)
    {
        if (value is null) return "—";
        var v = value.Value;
        if (double.IsPositiveInfinity(v)) return "∞";
        if (double.IsNaN(v)) return "NaN";
        return v.ToString(metric is MetricNames.Psnr or MetricNames.Fid ? "F2" : "F4", CultureInfo.InvariantCulture);
    }

    public static string Number(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Slug(string text) => new(text.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
