using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;

namespace FaceCraft4D.GpuWorker.Security;

/// <summary>A stage handler tried to read or write a blob outside its request's <see cref="StageRequestScope"/>; the job fails as invalid input.</summary>
public sealed class BlobScopeViolationException(string operation, BlobRef blob, StageRequest request)
    : StageInputException("out-of-scope-blob",
        $"Stage {request.Stage.Slug()} work item {request.Key} of run {request.RunId} may not {operation} {blob}.");
