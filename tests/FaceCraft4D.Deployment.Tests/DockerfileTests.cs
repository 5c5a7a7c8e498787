using System.Text.RegularExpressions;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>
/// The GPU worker image, linted without Docker: pinned bases new enough for TorchSharp 0.107 (Ubuntu 24.04 libstdc++),
/// a multi-stage .NET 10 build with the CUDA TorchSharp switch, a non-root user, port 8080 and a /healthz check.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly DockerfileDocument Dockerfile = DockerfileDocument.Parse(File.ReadAllText(RepositoryLayout.Dockerfile));

    // registry/repository:<major.minor.patch...> or @sha256:<digest>
    [GeneratedRegex(@"^[^\s:@]+(:(?<tag>\d+\.\d+\.\d+[^\s@]*))?(@sha256:[0-9a-f]{64})?$")]
    private static partial Regex PinnedImage();

    [Fact]
    public void Build_is_multi_stage_and_the_runtime_stage_holds_no_sdk()
    {
        Assert.True(Dockerfile.Stages.Count >= 2);
        Assert.Contains(Dockerfile.Stages, s => s.BaseImage.StartsWith("mcr.microsoft.com/dotnet/sdk:10.", StringComparison.Ordinal));
        Assert.DoesNotContain("/sdk:", Dockerfile.FinalStage.BaseImage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_external_base_image_is_pinned_to_an_exact_version_or_digest()
    {
        var stageNames = Dockerfile.Stages.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var external = Dockerfile.Stages.Select(s => s.BaseImage).Where(i => !stageNames.Contains(i)).ToList();

        Assert.NotEmpty(external);
        Assert.All(external, image =>
        {
            Assert.DoesNotContain("$", image, StringComparison.Ordinal); // every ARG has a default
            var match = PinnedImage().Match(image);
            Assert.True(match.Success && (match.Groups["tag"].Success || image.Contains("@sha256:", StringComparison.Ordinal)),
                $"{image} is not pinned to an exact version");
        });
    }

    [Fact]
    public void Runtime_base_is_ubuntu_24_04_for_the_glibcxx_3_4_32_libtorchsharp_needs()
    {
        var image = Dockerfile.FinalStage.BaseImage;
        Assert.True(image.Contains("-noble", StringComparison.Ordinal) || image.Contains("ubuntu24.04", StringComparison.Ordinal),
            $"{image} is not Ubuntu 24.04 based");
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.", image, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_and_publish_both_select_the_cuda_torchsharp_for_linux_x64()
    {
        var runs = Dockerfile.Stages.SelectMany(s => s.ArgumentsOf("RUN")).ToList();
        var restore = Assert.Single(runs, r => r.Contains("dotnet restore", StringComparison.Ordinal));
        var publish = Assert.Single(runs, r => r.Contains("dotnet publish", StringComparison.Ordinal));

        // Directory.Packages.props only declares TorchSharp-cuda-linux when Fc4dGpu=true: both steps need it.
        foreach (var command in new[] { restore, publish })
        {
            Assert.Contains("-p:Fc4dGpu=true", command, StringComparison.Ordinal);
            Assert.Contains("linux-x64", command, StringComparison.Ordinal);
            Assert.Contains("gpu-worker/FaceCraft4D.GpuWorker/FaceCraft4D.GpuWorker.csproj", command, StringComparison.Ordinal);
        }

        Assert.Contains("--no-restore", publish, StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_runs_as_a_non_root_user()
    {
        var user = Dockerfile.FinalStage.ArgumentsOf("USER").LastOrDefault();
        Assert.NotNull(user);
        Assert.DoesNotContain(user.Split(':')[0], new[] { "root", "0" });
    }

    [Fact]
    public void Runtime_listens_on_8080_and_checks_healthz()
    {
        var stage = Dockerfile.FinalStage;
        Assert.Contains("8080", stage.ArgumentsOf("EXPOSE"));
        var healthCheck = Assert.Single(stage.ArgumentsOf("HEALTHCHECK"));
        Assert.Contains("CMD", healthCheck, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:8080/healthz", healthCheck, StringComparison.Ordinal);
        Assert.Contains(stage.ArgumentsOf("ENV"), e => e.Contains("ASPNETCORE_HTTP_PORTS=8080", StringComparison.Ordinal));
        Assert.Contains("FaceCraft4D.GpuWorker.dll", Assert.Single(stage.ArgumentsOf("ENTRYPOINT")), StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_asks_the_nvidia_container_runtime_for_the_gpu_driver()
    {
        var environment = string.Join(' ', Dockerfile.FinalStage.ArgumentsOf("ENV"));
        Assert.Contains("NVIDIA_VISIBLE_DEVICES=all", environment, StringComparison.Ordinal);
        Assert.Contains("NVIDIA_DRIVER_CAPABILITIES=compute,utility", environment, StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_limits_glibc_malloc_arenas_like_the_local_host_workers()
    {
        var environment = string.Join(' ', Dockerfile.FinalStage.ArgumentsOf("ENV"));
        Assert.Contains("MALLOC_ARENA_MAX=2", environment, StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_ignore_keeps_build_outputs_and_weights_out_but_sends_the_worker_sources()
    {
        var patterns = File.ReadAllLines(RepositoryLayout.DockerIgnore)
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Equal("*", patterns[0]); // deny by default
        Assert.Contains("!shared/", patterns);
        Assert.Contains("!gpu-worker/", patterns);
        Assert.Contains("!Directory.Packages.props", patterns);
        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        Assert.Contains("**/*.safetensors", patterns);
    }

    [Fact]
    public void Runtime_stage_installs_ffmpeg_for_user_videos()
    {
        var runs = Dockerfile.FinalStage.ArgumentsOf("RUN");
        Assert.Contains(runs, r => Regex.IsMatch(r, @"apt-get install[^&]*\bffmpeg\b"));
    }

    [Fact]
    public void Parser_joins_continuations_substitutes_global_args_and_sees_a_root_user()
    {
        var document = DockerfileDocument.Parse("""
            ARG BASE=example.com/base:1.2.3
            FROM ${BASE} AS build
            RUN first \
              # a comment inside a continuation
              && second
            FROM build
            USER root
            """);

        Assert.Equal("example.com/base:1.2.3", document.Stages[0].BaseImage);
        Assert.Equal("build", document.Stages[0].Name);
        Assert.Equal("first && second", Assert.Single(document.Stages[0].ArgumentsOf("RUN")));
        Assert.Equal("root", Assert.Single(document.FinalStage.ArgumentsOf("USER")));
    }
}
