namespace FaceCraft4D.Viewer;

/// <summary>
/// Every file the viewer page loads (an allow-list: nothing else is served). Our page, scripts and styles are embedded
/// in the assembly; three.js (MIT) and Spark (MIT, <c>@sparkjsdev/spark</c>) come from npm via the build's copy.
/// </summary>
public static class ViewerAssetCatalog
{
    private const string Js = "text/javascript; charset=utf-8";

    public static IReadOnlyList<ViewerAsset> All { get; } =
    [
        new("viewer.js", Js, "fc4d-viewer/viewer.js", null),
        new("avatar-animation.js", Js, "fc4d-viewer/avatar-animation.js", null),
        new("safetensors.js", Js, "fc4d-viewer/safetensors.js", null),
        new("viewer.css", "text/css; charset=utf-8", "fc4d-viewer/viewer.css", null),
        new("vendor/three.module.min.js", Js, null, "three/build/three.module.min.js"),
        new("vendor/three.core.min.js", Js, null, "three/build/three.core.min.js"),
        new("vendor/addons/controls/OrbitControls.js", Js, null, "three/examples/jsm/controls/OrbitControls.js"),
        new("vendor/addons/postprocessing/Pass.js", Js, null, "three/examples/jsm/postprocessing/Pass.js"),
        new("vendor/spark.module.min.js", Js, null, "@sparkjsdev/spark/dist/spark.module.min.js"),
        new("vendor/LICENSE.three.txt", "text/plain; charset=utf-8", null, "three/LICENSE"),
        new("vendor/LICENSE.spark.txt", "text/plain; charset=utf-8", null, "@sparkjsdev/spark/LICENSE"),
    ];

    /// <summary>The page template (embedded).</summary>
    public const string PageResource = "fc4d-viewer/viewer.html";

    public static ViewerAsset? Find(string path) =>
        All.FirstOrDefault(a => string.Equals(a.Path, path, StringComparison.Ordinal));
}
