using System.Text.RegularExpressions;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>docs/azure-deployment.md stays in step with the templates: every knob and setting they define is named.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed partial class DeploymentGuideTests(CompiledInfrastructure infrastructure)
{
    private static readonly string Guide = File.ReadAllText(RepositoryLayout.DeploymentGuide);

    [GeneratedRegex(@"\$\{(?<name>[A-Z0-9_]+)")]
    private static partial Regex EnvironmentReference();

    [Theory]
    [InlineData("azd auth login")]
    [InlineData("azd env new")]
    [InlineData("azd up")]
    [InlineData("az deployment sub create")]
    [InlineData("docker push")]
    public void Guide_shows_the_commands_from_zero_to_deployed(string command) =>
        Assert.Contains(command, Guide, StringComparison.Ordinal);

    [Fact]
    public void Guide_names_every_bicep_parameter()
    {
        var parameters = infrastructure.Template.Root["parameters"]!.AsObject().Select(p => p.Key).ToList();
        Assert.NotEmpty(parameters);
        Assert.All(parameters, name => Assert.Contains($"`{name}`", Guide, StringComparison.Ordinal));
    }

    [Fact]
    public void Guide_names_every_azd_environment_variable_the_parameters_read()
    {
        var variables = EnvironmentReference().Matches(File.ReadAllText(Path.Combine(RepositoryLayout.BicepDirectory, "main.parameters.json")))
            .Select(m => m.Groups["name"].Value).Distinct()
            .Where(v => v.StartsWith("FC4D_", StringComparison.Ordinal) || v == "SERVICE_GPU_WORKER_IMAGE_NAME" || v == "AZURE_PRINCIPAL_ID");
        Assert.All(variables, name => Assert.Contains(name, Guide, StringComparison.Ordinal));
    }

    [Fact]
    public void Guide_names_every_setting_of_both_apps()
    {
        var snapshot = infrastructure.Snapshot("dev");
        var functionSettings = snapshot.OfType("Microsoft.Web/sites/config")
            .Single(c => ((string)c["name"]!).EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!.AsObject()
            .Select(s => s.Key);
        var workerSettings = snapshot.Single("Microsoft.App/containerApps")["properties"]!["template"]!["containers"]![0]!["env"]!
            .AsArray().Select(e => (string)e!["name"]!);

        Assert.All(functionSettings.Concat(workerSettings).Distinct(),
            name => Assert.Contains($"`{name}`", Guide, StringComparison.Ordinal));
    }
}
