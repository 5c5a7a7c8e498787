namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Per-pixel label of GrabCut: sure labels are fixed, probable labels are re-estimated.</summary>
public enum TrimapLabel : byte
{
    SureBackground = 0,
    SureForeground = 1,
    ProbableBackground = 2,
    ProbableForeground = 3,
}
