using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>
/// `azd up` works end to end on paper: azure.yaml points at the Bicep and at real project paths, every azd service
/// maps to exactly one tagged resource of the right kind, and main.parameters.json feeds main.bicep.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed partial class AzdProjectTests(CompiledInfrastructure infrastructure)
{
    private static readonly YamlMappingNode Project = YamlDocument.Load(RepositoryLayout.AzureYaml);

    [GeneratedRegex(@"\$\{(?<name>[A-Z0-9_]+)(=[^}]*)?\}")]
    private static partial Regex EnvironmentReference();

    [GeneratedRegex(@"\$\{(?<name>[A-Z0-9_]+):\?")]
    private static partial Regex RequiredShellVariable();

    [Fact]
    public void Infra_section_points_at_bicep_main()
    {
        var infra = Project.Child("infra");
        Assert.Equal("bicep", infra.Scalar("provider"));
        var main = Path.Combine(RepositoryLayout.Root, infra.Scalar("path")!, infra.Scalar("module")! + ".bicep");
        Assert.True(File.Exists(main), main);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(main)!, infra.Scalar("module")! + ".parameters.json")));
    }

    [Theory]
    [InlineData("api", "function", "Microsoft.Web/sites")]
    [InlineData("gpu-worker", "containerapp", "Microsoft.App/containerApps")]
    public void Service_maps_to_one_tagged_resource_of_its_host_kind(string service, string host, string resourceType)
    {
        var definition = Project.Child("services").Child(service);
        Assert.Equal(host, definition.Scalar("host"));
        Assert.True(Directory.Exists(Path.Combine(RepositoryLayout.Root, definition.Scalar("project")!)));

        foreach (var environment in CompiledInfrastructure.Environments)
        {
            var tagged = infrastructure.Snapshot(environment).Resources
                .Where(r => (string?)r["tags"]?["azd-service-name"] == service).ToList();
            var resource = Assert.Single(tagged);
            Assert.Equal(resourceType, (string?)resource["type"]);
        }
    }

    [Fact]
    public void Gpu_worker_is_built_from_the_dockerfile_with_the_repository_root_as_context()
    {
        var service = Project.Child("services").Child("gpu-worker");
        var projectDirectory = Path.Combine(RepositoryLayout.Root, service.Scalar("project")!);
        var docker = service.Child("docker");

        Assert.Equal(Path.GetFullPath(RepositoryLayout.Dockerfile), Path.GetFullPath(Path.Combine(projectDirectory, docker.Scalar("path")!)));
        Assert.Equal(Path.GetFullPath(RepositoryLayout.Root).TrimEnd('/'),
            Path.GetFullPath(Path.Combine(projectDirectory, docker.Scalar("context")!)).TrimEnd('/'));
        // The registry the image goes to comes from this Bicep output.
        Assert.Contains("AZURE_CONTAINER_REGISTRY_ENDPOINT", infrastructure.Template.Root["outputs"]!.AsObject().Select(o => o.Key));
    }

    [Fact]
    public void Postdeploy_hook_exists_is_executable_and_gets_every_variable_it_requires_from_the_outputs()
    {
        var hook = Project.Child("hooks").Child("postdeploy").Child("posix").Scalar("run")!;
        var script = Path.GetFullPath(Path.Combine(RepositoryLayout.Root, hook));
        Assert.True(File.Exists(script), script);
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0, $"{script} is not executable");
        }

        var outputs = infrastructure.Template.Root["outputs"]!.AsObject().Select(o => o.Key).ToHashSet();
        var required = RequiredShellVariable().Matches(File.ReadAllText(script)).Select(m => m.Groups["name"].Value).Distinct().ToList();
        Assert.NotEmpty(required);
        Assert.All(required, name => Assert.Contains(name, outputs));
    }

    [Fact]
    public void Azd_parameters_name_only_template_parameters_and_supply_every_required_one()
    {
        var templateParameters = infrastructure.Template.Root["parameters"]!.AsObject();
        var supplied = MainParameters().Select(p => p.Key).ToList();

        Assert.All(supplied, name => Assert.Contains(name, templateParameters.Select(p => p.Key)));
        var required = templateParameters.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);
        Assert.All(required, name => Assert.Contains(name, supplied));
    }

    [Fact]
    public void Azd_parameters_keep_the_deployed_worker_image_on_reprovisioning()
    {
        // azd stores the image it deployed as SERVICE_<NAME>_IMAGE_NAME; feeding it back means `azd provision`
        // after `azd deploy` does not reset the worker to the placeholder.
        var image = (string)MainParameters().Single(p => p.Key == "gpuWorkerImage").Value!["value"]!;
        Assert.Equal("SERVICE_GPU_WORKER_IMAGE_NAME", EnvironmentReference().Match(image).Groups["name"].Value);

        var environment = MainParameters().ToDictionary(p => p.Key, p => (string)p.Value!["value"]!);
        Assert.Equal("${AZURE_ENV_NAME}", environment["environmentName"]);
        Assert.Equal("${AZURE_LOCATION}", environment["location"]);
        Assert.Equal("${AZURE_PRINCIPAL_ID}", environment["principalId"]);
    }

    private static JsonObject MainParameters() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.BicepDirectory, "main.parameters.json")))!["parameters"]!.AsObject();
}
