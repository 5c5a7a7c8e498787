using System.Text;
using static FaceCraft4D.Metrics.Reports.ReportFormatting;

namespace FaceCraft4D.Metrics.Reports;

/// <summary>
/// Inline SVG bar chart of one metric: one bar per image, a dashed line at the mean, the axis from min(0, min) to max.
/// +∞ values are drawn as full-height hatched bars labelled ∞; images without a value get an empty slot marked "—".
/// </summary>
internal static class SvgBarChart
{
    public static string Render(string metric, IReadOnlyList<(string Label, double? Value)> bars, double? mean)
    {
        const int width = 720, height = 240, left = 56, right = 12, top = 16, bottom = 64;
        int plotW = width - left - right, plotH = height - top - bottom;
        var finite = bars.Where(b => b.Value is { } v && double.IsFinite(v)).Select(b => b.Value!.Value).ToList();
        double lo = Math.Min(0, finite.DefaultIfEmpty(0).Min()), hi = finite.DefaultIfEmpty(1).Max();
        if (hi <= lo) hi = lo + 1;
        hi += (hi - lo) * 0.05;
        double Y(double v) => top + plotH * (1 - (v - lo) / (hi - lo));

        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Html(metric)} per image\">");
        sb.Append("<defs><pattern id=\"hatch-").Append(Slug(metric)).Append("\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#7aa6d8\"/></pattern></defs>");
        // axis and ticks
        sb.Append($"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotH}\" class=\"axis\"/>");
        sb.Append($"<line x1=\"{left}\" y1=\"{Number(Y(lo))}\" x2=\"{left + plotW}\" y2=\"{Number(Y(lo))}\" class=\"axis\"/>");
        for (int t = 0; t <= 4; t++)
        {
            double v = lo + (hi - lo) * t / 4;
            sb.Append($"<text x=\"{left - 6}\" y=\"{Number(Y(v) + 4)}\" class=\"tick\" text-anchor=\"end\">{Html(Value(metric, v))}</text>");
            sb.Append($"<line x1=\"{left}\" y1=\"{Number(Y(v))}\" x2=\"{left + plotW}\" y2=\"{Number(Y(v))}\" class=\"grid\"/>");
        }
        int n = Math.Max(1, bars.Count);
        double slot = plotW / (double)n, barW = Math.Max(2, slot * 0.7);
        for (int i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            double x = left + slot * i + (slot - barW) / 2;
            string title = $"<title>{Html(label)}: {Html(Value(metric, value))}</title>";
            if (value is { } v && double.IsFinite(v))
            {
                double y0 = Y(Math.Max(lo, 0)), y1 = Y(v);
                sb.Append($"<rect class=\"bar\" x=\"{Number(x)}\" y=\"{Number(Math.Min(y0, y1))}\" width=\"{Number(barW)}\" height=\"{Number(Math.Max(0.5, Math.Abs(y0 - y1)))}\">{title}</rect>");
            }
            else if (value is { } inf && double.IsPositiveInfinity(inf))
            {
                sb.Append($"<rect class=\"bar infinite\" x=\"{Number(x)}\" y=\"{top}\" width=\"{Number(barW)}\" height=\"{Number(Y(Math.Max(lo, 0)) - top)}\" style=\"fill:url(#hatch-{Slug(metric)});stroke:#3b7dd8\">{title}</rect>");
                sb.Append($"<text x=\"{Number(x + barW / 2)}\" y=\"{top + 12}\" class=\"tick\" text-anchor=\"middle\">∞</text>");
            }
            else
                sb.Append($"<text x=\"{Number(x + barW / 2)}\" y=\"{Number(Y(Math.Max(lo, 0)) - 4)}\" class=\"tick missing\" text-anchor=\"middle\">—{title}</text>");
            string shortLabel = label.Length > 14 ? label[..13] + "…" : label;
            sb.Append($"<text x=\"{Number(x + barW / 2)}\" y=\"{top + plotH + 14}\" class=\"label\" text-anchor=\"end\" transform=\"rotate(-35 {Number(x + barW / 2)} {top + plotH + 14})\">{Html(shortLabel)}</text>");
        }
        if (mean is { } m && double.IsFinite(m))
        {
            sb.Append($"<line x1=\"{left}\" y1=\"{Number(Y(m))}\" x2=\"{left + plotW}\" y2=\"{Number(Y(m))}\" class=\"mean\"><title>mean {Html(Value(metric, m))}</title></line>");
            sb.Append($"<text x=\"{left + plotW - 2}\" y=\"{Number(Y(m) - 4)}\" class=\"tick\" text-anchor=\"end\">mean {Html(Value(metric, m))}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
