namespace FaceCraft4D.Animation.Tracking;

/// <summary>
/// Iteration counts of a tracking run (from the run settings): the first frame of every clip is optimised
/// <paramref name="FirstFrameIterations"/> times (the very first also refines identity and offsets), every following
/// frame <paramref name="PerFrameIterations"/> times starting from the previous frame (paper: 50), then
/// <paramref name="GlobalEpochs"/> passes over all frames in a seeded random order (paper: 30).
/// </summary>
public sealed record TrackingSchedule(int FirstFrameIterations, int PerFrameIterations, int GlobalEpochs, int Seed);
