using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace FaceCraft4D.Api;

/// <summary>
/// Builds the run services around a <see cref="DurableTaskClient"/> that is not in the container (the Functions
/// app receives its client per invocation through the <c>[DurableClient]</c> binding).
/// </summary>
public sealed class ClientBoundApi(IServiceProvider services)
{
    /// <summary>The run service on this client.</summary>
    public AvatarRunService Runs(DurableTaskClient client) => ActivatorUtilities.CreateInstance<AvatarRunService>(services, client);

    /// <summary>The HTTP handlers on this client.</summary>
    public AvatarHttpHandlers Handlers(DurableTaskClient client) =>
        ActivatorUtilities.CreateInstance<AvatarHttpHandlers>(services, Runs(client), Admission(client));

    /// <summary>The submission limits on this client (the active-run counts come from its durable store).</summary>
    public Limits.SubmissionAdmission Admission(DurableTaskClient client) =>
        ActivatorUtilities.CreateInstance<Limits.SubmissionAdmission>(services, (Limits.IActiveRunCounter)new Limits.ActiveRunCounter(client));

    /// <summary>The evaluation service on this client.</summary>
    public EvaluationService Evaluations(DurableTaskClient client) => ActivatorUtilities.CreateInstance<EvaluationService>(services, client);

    /// <summary>The evaluation HTTP handlers on this client.</summary>
    public EvaluationHttpHandlers EvaluationHandlers(DurableTaskClient client) =>
        ActivatorUtilities.CreateInstance<EvaluationHttpHandlers>(services, Evaluations(client));

    /// <summary>The upload intake on this client.</summary>
    public UploadIntake Intake(DurableTaskClient client) => ActivatorUtilities.CreateInstance<UploadIntake>(services, Runs(client));
}
