using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary><c>view.json</c> of an image-prior work item.</summary>
/// <param name="View">Orbit index of the view.</param>
/// <param name="Camera">Its camera (as in <c>shape-prior/views.json</c>).</param>
/// <param name="Depth">The depth it was warped with (the shape prior's file name).</param>
/// <param name="Anchors">Anchors warped into it, in the order of <c>sourceCounts</c>.</param>
/// <param name="SourceCounts">Pixels taken from each anchor.</param>
/// <param name="Backend">Image-prior backend.</param>
/// <param name="Metrics">Figures of the backend.</param>
public sealed record ViewReport(int View, Camera Camera, string Depth, IReadOnlyList<string> Anchors, IReadOnlyList<int> SourceCounts, string Backend, IReadOnlyDictionary<string, double> Metrics);
