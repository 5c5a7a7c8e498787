namespace FaceCraft4D.Deployment.Tests;

/// <summary>The real Bicep compiler and linter accept the templates without a single diagnostic.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class BicepCompilationTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void Lint_of_every_bicep_file_reports_nothing()
    {
        Assert.True(infrastructure.Lint.ExitCode == 0, infrastructure.Lint.ToString());
        Assert.Empty(infrastructure.Lint.Diagnostics);
    }

    [Fact]
    public void Build_of_main_reports_nothing()
    {
        Assert.True(infrastructure.Build.ExitCode == 0, infrastructure.Build.ToString());
        Assert.Empty(infrastructure.Build.Diagnostics);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Parameter_file_builds_against_main_without_diagnostics(string environment)
    {
        var run = infrastructure.ParameterBuild(environment);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public void Every_bicep_file_in_the_repository_was_linted()
    {
        // --pattern **/*.bicep must cover the modules, not only main.bicep.
        var files = Directory.EnumerateFiles(RepositoryLayout.BicepDirectory, "*.bicep", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith(Path.Combine("modules", "storage.bicep"), StringComparison.Ordinal));
        Assert.True(files.Count >= 10, $"expected main + modules, found {files.Count} files");
    }

    [Fact]
    public async Task Linter_configuration_turns_a_secret_output_into_an_error()
    {
        // Negative control: the same CLI and bicepconfig.json must reject a template that leaks a storage key, so a
        // clean lint above means something.
        var probe = Path.Combine(infrastructure.WorkDirectory, "modules", "leaky-output-probe.bicep");
        await File.WriteAllTextAsync(probe, """
            resource account 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
              name: 'stprobe'
            }

            output storageKey string = account.listKeys().keys[0].value
            """);
        try
        {
            var run = await infrastructure.Cli.RunAsync(infrastructure.WorkDirectory, ["lint", probe], CancellationToken.None);
            Assert.Contains(run.Diagnostics, d => d.Contains(" : Error outputs-should-not-contain-secrets", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(probe);
        }
    }

    [Fact]
    public async Task Linter_configuration_rejects_an_untyped_object_parameter()
    {
        // use-user-defined-types is off by default; bicepconfig.json switches it on deliberately.
        var probe = Path.Combine(infrastructure.WorkDirectory, "modules", "untyped-parameter-probe.bicep");
        await File.WriteAllTextAsync(probe, """
            param settings object
            output count int = length(settings)
            """);
        try
        {
            var run = await infrastructure.Cli.RunAsync(infrastructure.WorkDirectory, ["lint", probe], CancellationToken.None);
            Assert.Contains(run.Diagnostics, d => d.Contains("use-user-defined-types", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(probe);
        }
    }
}
