using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>The one failure text of runs and animation jobs: what a client reads in <c>error</c> for each way an instance ends.</summary>
public sealed class OrchestrationFailureTextTests
{
    private const string RawText = "NullReferenceException in /srv/fc4d/Worker.cs at http://10.0.0.7:8000/api/jobs";

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Pending)]
    [InlineData(OrchestrationRuntimeStatus.Running)]
    [InlineData(OrchestrationRuntimeStatus.Completed)]
    public void An_instance_that_has_not_failed_has_no_failure_text(OrchestrationRuntimeStatus status) =>
        Assert.Null(Text(status, progressMessage: "train-static failed: no_face", failure: RawText));

    [Fact]
    public void A_terminated_instance_says_so_with_the_termination_output() =>
        Assert.Equal("terminated: \"user asked\"", Text(OrchestrationRuntimeStatus.Terminated, output: "\"user asked\""));

    [Fact]
    public void A_stage_failure_reports_the_reason_the_stage_left_in_the_custom_status() =>
        Assert.Equal("preprocess failed: no_face (no face found)",
            Text(OrchestrationRuntimeStatus.Failed, progressMessage: "preprocess failed: no_face (no face found)", failure: RawText));

    [Fact]
    public void An_unexpected_failure_reports_the_stable_internal_error_not_its_text()
    {
        Assert.Equal(OrchestrationFailureText.InternalError, Text(OrchestrationRuntimeStatus.Failed, progressMessage: "running train-static", failure: RawText));
        Assert.Equal(OrchestrationFailureText.InternalError, Text(OrchestrationRuntimeStatus.Failed, output: RawText));
        Assert.StartsWith("internal-error:", OrchestrationFailureText.InternalError);
    }

    [Fact]
    public void A_failure_without_any_text_says_it_has_no_details() =>
        Assert.Equal(OrchestrationFailureText.WithoutDetails, Text(OrchestrationRuntimeStatus.Failed));

    private static string? Text(OrchestrationRuntimeStatus status, string? progressMessage = null, string? failure = null, string? output = null)
    {
        var metadata = new OrchestrationMetadata("AnyOrchestrator", "fc4d-00000000000000ab-00000001")
        {
            RuntimeStatus = status,
            SerializedOutput = output,
            FailureDetails = failure is null ? null : new TaskFailureDetails("InvalidOperationException", failure, null, null, null),
        };
        var progress = progressMessage is null ? null : new RunProgress("fc4d-00000000000000ab-00000001", "preview", [], null, progressMessage);
        return OrchestrationFailureText.For(metadata, progress, NullLogger.Instance, "Run");
    }
}
