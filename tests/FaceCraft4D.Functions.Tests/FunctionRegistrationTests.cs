using System.Reflection;
using FaceCraft4D.Functions;
using FaceCraft4D.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>The Functions app declares every orchestrator and activity the shared orchestrations call, under the same names as the local host.</summary>
public sealed class FunctionRegistrationTests
{
    private static readonly IReadOnlyDictionary<string, Type> Triggers = typeof(AvatarApiFunctions).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
        .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Method: m))
        .Where(x => x.Function is not null)
        .ToDictionary(
            x => x.Function!.Name,
            x => x.Method.GetParameters().Select(p => p.GetCustomAttributes().FirstOrDefault(a => a.GetType().Name.EndsWith("TriggerAttribute", StringComparison.Ordinal))?.GetType())
                .First(t => t is not null)!);

    [Fact]
    public void Every_durable_name_has_a_function_with_the_right_trigger()
    {
        var names = typeof(DurableNames).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToDictionary(f => f.Name, f => (string)f.GetValue(null)!);

        foreach (var (field, name) in names)
        {
            Assert.True(Triggers.ContainsKey(name), $"no function named {name} ({field})");
            var expected = field.EndsWith("Orchestrator", StringComparison.Ordinal) ? typeof(OrchestrationTriggerAttribute) : typeof(ActivityTriggerAttribute);
            Assert.Equal(expected, Triggers[name]);
        }
    }

    [Fact]
    public void The_entry_points_are_http_blob_and_timer_triggers()
    {
        Assert.Equal(typeof(BlobTriggerAttribute), Triggers["UploadBlobTrigger"]);
        Assert.Equal(typeof(TimerTriggerAttribute), Triggers["EvaluationSchedule"]);
        Assert.All(new[] { "StartAvatar", "GetAvatar", "ListAvatars", "TerminateAvatar", "DeleteAvatar", "GetAvatarArtifact", "StartEvaluation", "GetEvaluation" },
            name => Assert.Equal(typeof(HttpTriggerAttribute), Triggers[name]));
        var blob = typeof(UploadBlobTrigger).GetMethod(nameof(UploadBlobTrigger.Run))!.GetParameters()[0].GetCustomAttribute<BlobTriggerAttribute>()!;
        Assert.Equal("uploads/{name}", blob.BlobPath);
        Assert.Equal(BlobTriggerSource.EventGrid, blob.Source);
    }

    [Fact]
    public void Video_animation_jobs_have_http_routes_and_a_blob_trigger_on_their_own_upload_folder()
    {
        Assert.All(new[] { "StartAnimation", "GetAnimation", "ListAnimations" }, name => Assert.Equal(typeof(HttpTriggerAttribute), Triggers[name]));
        Assert.Equal(typeof(BlobTriggerAttribute), Triggers["AnimationUploadBlobTrigger"]);
        var blob = typeof(AnimationUploadBlobTrigger).GetMethod(nameof(AnimationUploadBlobTrigger.Run))!.GetParameters()[0].GetCustomAttribute<BlobTriggerAttribute>()!;
        Assert.Equal("uploads/animations/{name}", blob.BlobPath); // {owner}/{runId}/{file} or {runId}/{file}: the intake parses it
        Assert.Equal(BlobTriggerSource.EventGrid, blob.Source);
        var routes = typeof(AnimationApiFunctions).GetMethods()
            .SelectMany(m => m.GetParameters()).Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).Where(a => a is not null).Select(a => a!.Route).ToArray();
        Assert.Equal(["avatars/{id}/animations", "avatars/{id}/animations", "avatars/{id}/animations/{animationId}"], routes.Order(StringComparer.Ordinal));
    }
}
