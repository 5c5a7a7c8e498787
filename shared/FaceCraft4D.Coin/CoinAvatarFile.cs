using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin;

/// <summary>A trained avatar read back: the Gaussians bound to FLAME, the COIN appearance (when trained with COIN) and the file's metadata.</summary>
public sealed class CoinAvatar : IDisposable
{
    /// <summary>Wraps the parts (taking ownership).</summary>
    public CoinAvatar(FlameGaussianAvatar avatar, CoinAppearance? appearance, IReadOnlyDictionary<string, string> metadata)
    {
        Avatar = avatar ?? throw new ArgumentNullException(nameof(avatar));
        Appearance = appearance;
        Metadata = metadata;
    }

    /// <summary>The consistent GaussianAvatar.</summary>
    public FlameGaussianAvatar Avatar { get; }

    /// <summary>The view embeddings and colour-offset MLP; null for plain training.</summary>
    public CoinAppearance? Appearance { get; }

    /// <summary>Metadata of the file (training stage, backend, iterations, head model).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Avatar.Dispose();
        Appearance?.Dispose();
    }
}

/// <summary>
/// The trained avatar a training stage hands to the next (<c>avatar-state.safetensors</c>): safetensors with
/// <c>gaussians.*</c> (<see cref="GaussianParameters.WriteTo"/>: local attributes and binding), <c>avatar.flame_shape</c> [1, S],
/// optionally <c>coin.*</c> (<see cref="CoinAppearance.WriteTo"/>), and metadata <c>format</c> = <c>fc4d-coin-avatar/1</c>
/// plus the caller's entries. Reading needs the FLAME-format model the Gaussians are bound to.
/// </summary>
public static class CoinAvatarFile
{
    /// <summary>Format tag.</summary>
    public const string FormatTag = "fc4d-coin-avatar/1";

    /// <summary>Writes the avatar (and appearance) to a stream.</summary>
    public static async Task WriteAsync(FlameGaussianAvatar avatar, CoinAppearance? appearance, IReadOnlyDictionary<string, string>? metadata, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        var file = new InMemorySafeTensors();
        using (var scope = torch.NewDisposeScope())
        {
            avatar.Parameters.WriteTo(file, "gaussians.");
            file.Add("avatar.flame_shape", avatar.Shape.detach().cpu());
            appearance?.WriteTo(file, "coin.");
        }
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) file.Metadata[key] = value;
        file.Metadata["format"] = FormatTag;
        file.Metadata["coin"] = appearance is null ? "false" : "true";
        await file.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an avatar written by <see cref="WriteAsync"/>, bound to <paramref name="flame"/>.</summary>
    /// <exception cref="InvalidDataException">Not an avatar file, or bound to a model with fewer triangles.</exception>
    public static async Task<CoinAvatar> ReadAsync(Stream stream, FlameModel flame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flame);
        var file = await InMemorySafeTensors.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        if (!file.Metadata.TryGetValue("format", out var format) || format != FormatTag)
            throw new InvalidDataException($"Not a {FormatTag} file.");
        using var scope = torch.NewDisposeScope();
        var parameters = GaussianParameters.ReadFrom(file, "gaussians.", flame.Device, flame.DType);
        try
        {
            if (parameters.Binding is null) throw new InvalidDataException("The avatar file has no triangle binding.");
            long maxFace = parameters.Count == 0 ? -1 : parameters.Binding.max().item<long>();
            if (maxFace >= flame.Faces.shape[0])
                throw new InvalidDataException($"The avatar is bound to triangle {maxFace}; the head model has {flame.Faces.shape[0]}.");
            var shape = file.GetTorch("avatar.flame_shape", flame.Device, flame.DType);
            var avatar = new FlameGaussianAvatar(flame, parameters, shape);
            var appearance = file.Metadata.ContainsKey("coin.format") ? CoinAppearance.ReadFrom(file, "coin.", flame.Device) : null;
            return new CoinAvatar(avatar, appearance, new Dictionary<string, string>(file.Metadata));
        }
        catch
        {
            parameters.Dispose();
            throw;
        }
    }
}
