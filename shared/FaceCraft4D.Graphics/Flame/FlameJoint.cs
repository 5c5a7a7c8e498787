namespace FaceCraft4D.Graphics.Flame;

/// <summary>The five FLAME joints in kinematic order (parents: -1, 0, 1, 1, 1).</summary>
public enum FlameJoint
{
    /// <summary>Root; its rotation is the global head rotation.</summary>
    Global = 0,
    /// <summary>Neck.</summary>
    Neck = 1,
    /// <summary>Jaw (positive rotation about +x opens the mouth).</summary>
    Jaw = 2,
    /// <summary>Left eyeball (subject's left, +x side).</summary>
    LeftEye = 3,
    /// <summary>Right eyeball (subject's right, -x side).</summary>
    RightEye = 4,
}
