using System.Globalization;

namespace FaceCraft4D.Stages.Export;

/// <summary>Names of the files Export writes into the run's avatar folder <c>avatars/{runId}/</c> (Stages README, stage 9).</summary>
public static class ExportFiles
{
    /// <summary>Canonical-pose Gaussians, standard 3DGS binary PLY.</summary>
    public const string Ply = "avatar.ply";

    /// <summary>The rig tensors (binding, local attributes, FLAME shape, faces, canonical vertices).</summary>
    public const string RigTensors = "avatar_rig.safetensors";

    /// <summary>The rig manifest.</summary>
    public const string RigManifest = "avatar_rig.json";

    /// <summary>Turntable GIF.</summary>
    public const string TurntableGif = "preview/turntable.gif";

    /// <summary>Animated preview of the first clip (GIF, reference camera).</summary>
    public const string AnimationGif = "preview/animation.gif";

    /// <summary>Index of the animation clips (JSON).</summary>
    public const string AnimationIndex = "animation/index.json";

    /// <summary>What Export wrote and how to read it (JSON).</summary>
    public const string Summary = "export.json";

    /// <summary>Turntable frame k (PNG).</summary>
    public static string TurntableFrame(int k) => $"preview/turntable_{k.ToString("D2", CultureInfo.InvariantCulture)}.png";

    /// <summary>Per-frame triangle frames of a clip.</summary>
    public static string Animation(string clip) => $"animation/{clip}.safetensors";

    /// <summary>A posed 3DGS .ply of one frame of a clip.</summary>
    public static string PosedPly(string clip, int frame) => $"frames/{clip}/{frame.ToString("D3", CultureInfo.InvariantCulture)}.ply";
}
