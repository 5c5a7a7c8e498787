using FaceCraft4D.Animation.Rig;

namespace FaceCraft4D.Animation.Tracking;

/// <summary>The tracked parameters of one frame and how well they explain the frame.</summary>
/// <param name="Clip">Clip index.</param>
/// <param name="Frame">Frame index in the clip.</param>
/// <param name="Parameters">Per-frame FLAME parameters.</param>
/// <param name="Photometric">Mean absolute colour difference (0..1) over the views' pixels.</param>
/// <param name="LandmarkErrorPixels">Mean reprojection error of the detected landmarks (frame pixels), NaN when none were detected.</param>
/// <param name="LandmarkViews">Views of this frame with detected landmarks.</param>
public sealed record TrackedFrame(int Clip, int Frame, FlameFrame Parameters, double Photometric, double LandmarkErrorPixels, int LandmarkViews);
