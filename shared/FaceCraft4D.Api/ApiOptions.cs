namespace FaceCraft4D.Api;

/// <summary>Configuration section <c>Fc4d:Api</c>: how the host publishes its URLs.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Fc4d:Api";

    /// <summary>
    /// Path of the browser viewer of a run, <c>{id}</c> replaced by the run id. The local host serves it at
    /// <c>/avatars/{id}</c>; the Functions app, whose HTTP routes all carry the <c>api</c> prefix, at
    /// <c>/api/viewer/avatars/{id}</c>.
    /// </summary>
    public string ViewerPath { get; set; } = "/avatars/{id}";

    /// <summary>Runs listed by <c>GET /api/avatars</c> without <c>?top=</c>.</summary>
    public int DefaultListTop { get; set; } = 50;

    /// <summary>Most runs one <c>GET /api/avatars?top=N</c> lists: a larger <c>N</c> is clamped to this.</summary>
    public int MaxListTop { get; set; } = 200;

    /// <summary>
    /// Blob uploads name their owner in the path, <c>uploads/{owner}/{name}</c> (Azure, where the uploading app writes
    /// the signed-in user's object id); false (local): every upload belongs to the local owner.
    /// </summary>
    public bool UploadOwnerFromPath { get; set; }
}
