using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Security;

/// <summary>Fails the worker's start with the reason when <see cref="WorkerAuthOptions"/> cannot authenticate anyone.</summary>
public sealed class WorkerAuthOptionsValidator : IValidateOptions<WorkerAuthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WorkerAuthOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
