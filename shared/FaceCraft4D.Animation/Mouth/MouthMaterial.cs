namespace FaceCraft4D.Animation.Mouth;

/// <summary>What a triangle of the animated head is made of (how it is coloured).</summary>
public enum MouthMaterial : byte
{
    /// <summary>The head surface: coloured by the UV texture.</summary>
    Skin = 0,

    /// <summary>Teeth (FLAME 2023-style teeth of the model): ivory, darker toward the back.</summary>
    Teeth = 1,

    /// <summary>Cavity wall behind the lips: dark red, darker with depth.</summary>
    Wall = 2,

    /// <summary>Cavity floor on the jaw side: tongue red, darker with depth.</summary>
    Tongue = 3,
}
