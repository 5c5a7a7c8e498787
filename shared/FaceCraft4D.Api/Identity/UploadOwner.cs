using FaceCraft4D.Contracts;

namespace FaceCraft4D.Api.Identity;

/// <summary>
/// The owner of a run started by a blob upload. With <see cref="ApiOptions.UploadOwnerFromPath"/> (Azure) the first
/// folder of <c>uploads/{owner}/{name}</c> is the owner (an Entra object id, as the uploading app writes it); a blob
/// outside an owner folder has no owner and is rejected. Without it (the local stack) every upload is the local owner's.
/// </summary>
public static class UploadOwner
{
    /// <summary>The owner of <paramref name="blobName"/> (relative to the uploads container), or null when it names none.</summary>
    public static string? FromPath(string blobName, bool ownerFromPath)
    {
        if (!ownerFromPath)
        {
            return RunIdentity.LocalOwner;
        }

        var slash = blobName.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == blobName.Length - 1)
        {
            return null;
        }

        var owner = blobName[..slash];
        return IsOwnerId(owner) ? owner : null;
    }

    /// <summary>Owner ids: 1-128 letters, digits, <c>-</c>, <c>_</c>, <c>.</c>, <c>@</c>.</summary>
    public static bool IsOwnerId(string owner) =>
        owner.Length is > 0 and <= 128 && owner.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@') && owner is not "." and not "..";
}
