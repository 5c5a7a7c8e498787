using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Safetensors;
using TorchSharp;

namespace FaceCraft4D.Coin;

/// <summary>
/// Works around <c>GaussianTrainer.LoadCheckpointAsync</c> in FaceCraft4D.Graphics, whose FLAME-shape check reads a float32
/// difference with <c>item&lt;double&gt;()</c> and so throws for every <see cref="FlameGaussianAvatar"/> checkpoint: the shape
/// (<c>avatar.flame_shape</c>) is checked here in the tensor's own type and removed before the trainer reads the
/// checkpoint (the trainer skips its check when the entry is absent). Remove once the library compares in float32.
/// </summary>
public static class CheckpointShape
{
    /// <summary>Checkpoint key of the FLAME shape.</summary>
    public const string Key = "avatar.flame_shape";

    /// <summary>The checkpoint bytes without the shape entry, after checking it against the avatar's shape.</summary>
    /// <exception cref="InvalidDataException">The checkpoint was trained with another FLAME shape.</exception>
    public static byte[] VerifiedWithoutShape(ReadOnlyMemory<byte> checkpoint, IGaussianAvatar model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var file = SafetensorsFile.FromArray(checkpoint.ToArray());
        if (model is not FlameGaussianAvatar avatar || !file.Contains(Key)) return checkpoint.ToArray();
        using (var scope = torch.NewDisposeScope())
        {
            var saved = file.GetTorch(Key, avatar.Shape.device, avatar.Shape.dtype);
            if (!saved.shape.SequenceEqual(avatar.Shape.shape) || (saved - avatar.Shape).abs().max().item<float>() > 1e-6f)
                throw new InvalidDataException("The training state was made with a different FLAME shape than this avatar.");
        }
        var stripped = new SafetensorsFile();
        foreach (var (key, value) in file.Metadata) stripped.Metadata[key] = value;
        foreach (var tensor in file.Tensors.Where(t => t.Name != Key)) stripped.Add(tensor);
        return stripped.ToArray();
    }
}
