using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Models.Tests;

/// <summary>The real <c>fc4d-local models ...</c> process against the weights server (what <c>./fc4d models</c> runs).</summary>
public sealed class CliProcessTests
{
    [Fact]
    public async Task Models_commands_pull_verify_and_refuse_through_the_cli()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        var manifestPath = Path.Combine(bed.Directory, "manifest.json");
        await ModelManifestLoader.SaveAsync(bed.Manifest, manifestPath, CancellationToken.None);
        string[] common = ["--manifest", manifestPath, "--models-dir", bed.ModelsRoot];

        var refused = await RunAsync(["models", "pull", "diffusion", .. common, "--mirror", bed.Server.BaseUrl]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--accept-licence diffusion", refused.Output);

        var pull = await RunAsync(["models", "pull", "portrait", "diffusion", "--accept-licence", "diffusion", .. common, "--mirror", bed.Server.BaseUrl]);
        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.Contains("portrait: installed", pull.Output);
        Assert.Contains("[models] portrait/base_models/appearance.pth download", pull.Output); // plain progress lines when redirected

        var verify = await RunAsync(["models", "verify", "portrait", "diffusion", .. common]);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("no problems", verify.Output);

        var path = bed.Installed("portrait", "appearance.safetensors");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^3] ^= 0x10;
        await File.WriteAllBytesAsync(path, bytes);
        var tampered = await RunAsync(["models", "verify", .. common]);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("corrupt", tampered.Output);

        var list = await RunAsync(["models", "list", .. common]);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("LicenseRef-Test-RAIL", list.Output);
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string[] arguments) => LocalHostCli.RunAsync(arguments, TimeSpan.FromMinutes(3));
}
