namespace FaceCraft4D.Models.Download;

/// <summary>Maps upstream URLs onto a mirror: <c>{mirror}/{host}{path}{query}</c>.</summary>
public static class MirrorUrl
{
    /// <summary>The URL to fetch: the upstream one, or its mirror copy when <paramref name="mirror"/> is set.</summary>
    public static Uri Resolve(string upstream, string? mirror)
    {
        var uri = new Uri(upstream, UriKind.Absolute);
        if (string.IsNullOrWhiteSpace(mirror)) return uri;
        var hostPart = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        return new Uri($"{mirror.TrimEnd('/')}/{hostPart}{uri.PathAndQuery}", UriKind.Absolute);
    }
}
