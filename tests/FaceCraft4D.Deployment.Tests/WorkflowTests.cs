using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>
/// The GitHub workflows are valid YAML, pin every action to a full commit SHA, authenticate to Azure with OIDC only,
/// and CI runs the project's test command and the Bicep checks.
/// </summary>
public sealed partial class WorkflowTests
{
    private static readonly string CiPath = Path.Combine(RepositoryLayout.WorkflowsDirectory, "ci.yml");
    private static readonly string DeployPath = Path.Combine(RepositoryLayout.WorkflowsDirectory, "deploy.yml");

    [GeneratedRegex(@"^(?<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.\-/]+)@(?<sha>[0-9a-f]{40})$")]
    private static partial Regex PinnedAction();

    [GeneratedRegex(@"^\s*(-\s*)?uses:\s*(?<ref>\S+)\s*#\s*v\d+(\.\d+){0,2}\s*$")]
    private static partial Regex UsesLineWithVersionComment();

    public static TheoryData<string> Workflows() => [.. WorkflowFiles()];

    private static IEnumerable<string> WorkflowFiles() =>
        Directory.EnumerateFiles(RepositoryLayout.WorkflowsDirectory, "*.yml").Select(Path.GetFileName).OfType<string>();

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Workflow_parses_and_every_job_has_steps_a_runner_and_a_timeout(string fileName)
    {
        var workflow = YamlDocument.Load(Path.Combine(RepositoryLayout.WorkflowsDirectory, fileName));
        Assert.False(string.IsNullOrEmpty(workflow.Scalar("name")));
        Assert.NotNull(workflow.Child("on"));

        var jobs = workflow.Child("jobs").Entries().ToList();
        Assert.NotEmpty(jobs);
        Assert.All(jobs, job =>
        {
            Assert.False(string.IsNullOrEmpty(job.Value.Scalar("runs-on")), $"{job.Key}: runs-on");
            Assert.True(int.TryParse(job.Value.Scalar("timeout-minutes"), out var minutes) && minutes is > 0 and <= 120, $"{job.Key}: timeout-minutes");
            Assert.NotEmpty(job.Value.Child("steps").Items());
        });
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_action_is_pinned_to_a_full_commit_sha_with_its_version_in_a_comment(string fileName)
    {
        var path = Path.Combine(RepositoryLayout.WorkflowsDirectory, fileName);
        var uses = Steps(YamlDocument.Load(path)).Select(s => s.Scalar("uses")).OfType<string>().ToList();
        Assert.NotEmpty(uses);
        Assert.All(uses, reference => Assert.Matches(PinnedAction(), reference));

        // The YAML model drops comments: check the raw lines for the release each SHA stands for.
        var usesLines = File.ReadAllLines(path).Where(l => Regex.IsMatch(l, @"^\s*(-\s*)?uses:")).ToList();
        Assert.Equal(uses.Count, usesLines.Count);
        Assert.All(usesLines, line => Assert.Matches(UsesLineWithVersionComment(), line));
    }

    [Fact]
    public void An_action_is_pinned_to_the_same_commit_everywhere()
    {
        var pins = WorkflowFiles()
            .SelectMany(w => Steps(YamlDocument.Load(Path.Combine(RepositoryLayout.WorkflowsDirectory, w))))
            .Select(s => s.Scalar("uses")).OfType<string>()
            .Select(u => PinnedAction().Match(u))
            .GroupBy(m => m.Groups["action"].Value, m => m.Groups["sha"].Value);

        Assert.All(pins, group => Assert.Single(group.Distinct()));
    }

    [Fact]
    public void Deploy_workflow_may_request_an_oidc_token_and_only_read_the_repository()
    {
        var permissions = YamlDocument.Load(DeployPath).Child("permissions").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value);

        Assert.Equal("write", permissions["id-token"]);
        Assert.Equal("read", permissions["contents"]);
        Assert.Equal(2, permissions.Count);
    }

    [Fact]
    public void Ci_workflow_cannot_request_an_oidc_token_or_write()
    {
        var permissions = YamlDocument.Load(CiPath).Child("permissions").Entries().ToList();
        var only = Assert.Single(permissions);
        Assert.Equal(("contents", "read"), (only.Key, ((YamlScalarNode)only.Value).Value));
    }

    [Fact]
    public void Azure_login_uses_federated_credentials_from_variables_and_no_secret()
    {
        var logins = Steps(YamlDocument.Load(DeployPath))
            .Where(s => s.Scalar("uses")?.StartsWith("azure/login@", StringComparison.OrdinalIgnoreCase) == true).ToList();
        Assert.NotEmpty(logins);
        Assert.All(logins, login =>
        {
            var with = login.Child("with").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? "");
            Assert.Equal(["client-id", "subscription-id", "tenant-id"], with.Keys.Order());
            Assert.All(with.Values, v => Assert.StartsWith("${{ vars.", v, StringComparison.Ordinal));
        });

        var text = File.ReadAllText(DeployPath);
        Assert.DoesNotContain("secrets.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("creds:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("client-secret", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Ci_runs_the_project_test_command_and_the_bicep_checks()
    {
        var runs = Steps(YamlDocument.Load(CiPath)).Select(s => s.Scalar("run")).OfType<string>().ToList();

        Assert.Contains(runs, r => r.Split('\n').Any(l => l.Trim() == "./fc4d test"));
        Assert.Contains(runs, r => r.Contains("lint --pattern 'bicep/**/*.bicep'", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains("build bicep/main.bicep", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains("build-params", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains("-getProperty:BicepPath", StringComparison.Ordinal));
    }

    [Fact]
    public void Deploy_provisions_with_the_parameter_files_builds_the_gpu_image_and_deploys_the_functions()
    {
        var runs = string.Join('\n', Steps(YamlDocument.Load(DeployPath)).Select(s => s.Scalar("run")).OfType<string>());

        Assert.Contains("az deployment sub create", runs, StringComparison.Ordinal);
        Assert.Contains("bicep/${TARGET}.bicepparam", runs, StringComparison.Ordinal);
        Assert.Contains("docker build --file gpu-worker/Dockerfile", runs, StringComparison.Ordinal);
        Assert.Contains("docker push", runs, StringComparison.Ordinal);
        Assert.Contains("az containerapp update", runs, StringComparison.Ordinal);
        Assert.Contains("az functionapp deployment source config-zip", runs, StringComparison.Ordinal);
        Assert.Contains("./bicep/hooks/subscribe-upload-events.sh", runs, StringComparison.Ordinal);

        var choices = YamlDocument.Load(DeployPath).Child("on").Child("workflow_dispatch").Child("inputs").Child("environment").Child("options")
            .Items().Select(i => ((YamlScalarNode)i).Value).ToList();
        Assert.All(choices, environment => Assert.True(File.Exists(Path.Combine(RepositoryLayout.BicepDirectory, $"{environment}.bicepparam"))));
    }

    private static IEnumerable<YamlNode> Steps(YamlMappingNode workflow) =>
        workflow.Child("jobs").Entries().SelectMany(job => job.Value.Child("steps").Items());
}
