using FaceCraft4D.Models.Installation;
using FaceCraft4D.Weights;
using TorchSharp;
using Xunit;

namespace FaceCraft4D.Models.Tests;

public sealed class PullTests
{
    [Fact]
    public async Task Pull_converts_pth_to_safetensors_with_the_official_keys_and_values()
    {
        await using var bed = await ModelsTestBed.CreateAsync();

        var outcomes = await bed.PullAsync("portrait");

        Assert.Equal("installed", Assert.Single(outcomes).Result);
        using (var file = await SafeTensorsFile.OpenAsync(bed.Installed("portrait", "appearance.safetensors")))
        {
            Assert.Equal(["conv_lower.conv.bias", "conv_lower.conv.weight", "conv_lower.norm.num_batches_tracked", "conv_lower.norm.running_mean"],
                file.Entries.Keys.Order(StringComparer.Ordinal).ToArray());
            foreach (var (name, values) in bed.Weights.AppearanceTensors)
            {
                using var t = await file.ReadTensorAsync(name);
                Assert.Equal(values, t.data<float>().ToArray());
            }
            using var counter = await file.ReadTensorAsync("conv_lower.norm.num_batches_tracked");
            Assert.Equal(torch.ScalarType.Int64, counter.dtype);
            Assert.Equal(17L, counter.item<long>());
        }
        using (var stitching = await SafeTensorsFile.OpenAsync(bed.Installed("portrait", "stitching.safetensors")))
        {
            Assert.Contains("retarget_shoulder.mlp.0.weight", stitching.Entries.Keys);
            Assert.Contains("retarget_eye.mlp.0.bias", stitching.Entries.Keys);
            Assert.Equal(6, stitching.Entries.Count);
            Assert.DoesNotContain(stitching.Entries.Keys, k => k.Contains("module.", StringComparison.Ordinal));
        }
        // every request went to the mirror, the official files were downloaded and removed after conversion
        Assert.All(bed.Server.Requests, r => Assert.StartsWith($"/{TinyWeights.Host}/", r.Path));
        Assert.False(File.Exists(bed.Folder.DownloadedFile(bed.Prior("portrait"), bed.Prior("portrait").Files[0])));
        var record = await InstallRecord.ReadAsync(bed.Folder.RecordFile(bed.Prior("portrait")), CancellationToken.None);
        Assert.Equal(TinyWeights.Sha(bed.Weights.AppearancePth), record!.Files["appearance.safetensors"].SourceSha256);

        var status = Assert.Single(await bed.Verifier.CheckAsync(bed.Manifest, ["portrait"], hash: true, CancellationToken.None));
        Assert.Equal(PriorState.Installed, status.State);

        // a second pull finds everything in place and downloads nothing
        int before = bed.Server.Requests.Count;
        Assert.Equal("up to date", Assert.Single(await bed.PullAsync("portrait")).Result);
        Assert.Equal(before, bed.Server.Requests.Count);
    }

    [Fact]
    public async Task A_corrupted_download_is_refused_and_the_installed_version_stays()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        await bed.PullAsync("portrait");
        var installed = bed.Installed("portrait", "appearance.safetensors");
        var goodSha = await FileHashing.Sha256Async(installed, CancellationToken.None);

        var corrupted = (byte[])bed.Weights.AppearancePth.Clone();
        corrupted[corrupted.Length / 2] ^= 0xFF; // same size, different content
        bed.Server.Serve(TinyWeights.MirrorPath("org/portrait/base_models/appearance.pth"), corrupted);

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() =>
            bed.Puller.PullAsync(bed.Manifest, new PullRequest(["portrait"], [], Force: true), null, CancellationToken.None));

        Assert.Contains("sha256", error.Message);
        Assert.Contains("not installed", error.Message);
        Assert.Equal(goodSha, await FileHashing.Sha256Async(installed, CancellationToken.None));
        var download = bed.Folder.DownloadedFile(bed.Prior("portrait"), bed.Prior("portrait").Files[0]);
        Assert.False(File.Exists(download));
        Assert.False(File.Exists(ModelsFolder.PartialOf(download)));
    }

    [Fact]
    public async Task A_corrupted_first_download_installs_nothing()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        var corrupted = (byte[])bed.Weights.StitchingPth.Clone();
        corrupted[100] ^= 0x01;
        bed.Server.Serve(TinyWeights.MirrorPath("org/portrait/retargeting_models/stitching.pth"), corrupted);

        await Assert.ThrowsAsync<ChecksumMismatchException>(() => bed.PullAsync("portrait"));

        Assert.False(Directory.Exists(bed.Folder.PriorFolder(bed.Prior("portrait")))
                     && Directory.EnumerateFiles(bed.Folder.PriorFolder(bed.Prior("portrait")), "*", SearchOption.AllDirectories).Any());
        var status = Assert.Single(await bed.Verifier.CheckAsync(bed.Manifest, ["portrait"], hash: true, CancellationToken.None));
        Assert.Equal(PriorState.NotInstalled, status.State);
    }

    [Fact]
    public async Task An_interrupted_download_resumes_with_a_range_request()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        var path = TinyWeights.MirrorPath("org/portrait/base_models/appearance.pth");
        int half = bed.Weights.AppearancePth.Length / 2;
        var partial = ModelsFolder.PartialOf(bed.Folder.DownloadedFile(bed.Prior("portrait"), bed.Prior("portrait").Files[0]));
        bed.Server.DropConnectionOnceAfter(path, half, () => File.Exists(partial) && new FileInfo(partial).Length >= half);

        await bed.PullAsync("portrait");

        var requests = bed.Server.Requests.Where(r => r.Path == path).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Range);
        Assert.Equal($"bytes={half}-", requests[1].Range);
        var status = Assert.Single(await bed.Verifier.CheckAsync(bed.Manifest, ["portrait"], hash: true, CancellationToken.None));
        Assert.Equal(PriorState.Installed, status.State);
    }

    [Fact]
    public async Task A_partial_file_left_by_an_earlier_run_is_resumed()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        var prior = bed.Prior("portrait");
        var download = bed.Folder.DownloadedFile(prior, prior.Files[0]);
        Directory.CreateDirectory(Path.GetDirectoryName(download)!);
        await File.WriteAllBytesAsync(ModelsFolder.PartialOf(download), bed.Weights.AppearancePth[..1000]);

        await bed.PullAsync("portrait");

        var path = TinyWeights.MirrorPath("org/portrait/base_models/appearance.pth");
        Assert.Equal("bytes=1000-", Assert.Single(bed.Server.Requests, r => r.Path == path).Range);
        Assert.Equal(PriorState.Installed, (await bed.Verifier.CheckAsync(bed.Manifest, ["portrait"], true, CancellationToken.None))[0].State);
    }

    [Fact]
    public async Task A_licence_that_was_not_accepted_downloads_nothing()
    {
        await using var bed = await ModelsTestBed.CreateAsync();

        var error = await Assert.ThrowsAsync<LicenceNotAcceptedException>(() => bed.PullAsync("portrait", "diffusion"));

        Assert.Equal(["diffusion"], error.Priors);
        Assert.Contains("--accept-licence diffusion", error.Message);
        Assert.Contains("https://example.invalid/rail", error.Message);
        Assert.Empty(bed.Server.Requests);
        Assert.False(Directory.Exists(bed.ModelsRoot) && Directory.EnumerateFiles(bed.ModelsRoot, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task An_accepted_licence_installs_the_diffusers_folder()
    {
        await using var bed = await ModelsTestBed.CreateAsync();

        await bed.Puller.PullAsync(bed.Manifest, new PullRequest(["diffusion"], ["diffusion"]), null, CancellationToken.None);

        Assert.Equal(bed.Weights.UnetConfig, await File.ReadAllBytesAsync(bed.Installed("diffusion", "unet/config.json")));
        Assert.Equal(bed.Weights.UnetSafeTensors, await File.ReadAllBytesAsync(bed.Installed("diffusion", "unet/diffusion_pytorch_model.safetensors")));
        Assert.True(File.Exists(bed.Installed("diffusion", "scheduler/scheduler_config.json")));
    }

    [Fact]
    public async Task Unpinned_files_need_trust_on_first_use_which_records_the_hash()
    {
        await using var bed = await ModelsTestBed.CreateAsync();

        var refusal = await Assert.ThrowsAsync<ModelsException>(() => bed.PullAsync("open"));
        Assert.Contains("open/weights.pth", refusal.Message);
        Assert.Contains("--trust-on-first-use", refusal.Message);
        Assert.Empty(bed.Server.Requests);

        var outcome = Assert.Single(await bed.Puller.PullAsync(bed.Manifest, new PullRequest(["open"], [], TrustOnFirstUse: true), null, CancellationToken.None));
        var sha = TinyWeights.Sha(bed.Weights.AppearancePth);
        Assert.Contains(sha, outcome.Detail);
        var record = await InstallRecord.ReadAsync(bed.Folder.RecordFile(bed.Prior("open")), CancellationToken.None);
        Assert.True(record!.Files["weights.safetensors"].TrustedOnFirstUse);
        Assert.Equal(sha, record.Files["weights.safetensors"].SourceSha256);
    }

    [Fact]
    public async Task Import_only_priors_are_not_pulled()
    {
        await using var bed = await ModelsTestBed.CreateAsync();

        var error = await Assert.ThrowsAsync<ModelsException>(() => bed.PullAsync("registered"));

        Assert.Contains("Register upstream.", error.Message);
        Assert.Contains("import", error.Message);
        Assert.Empty(bed.Server.Requests);
    }

    [Fact]
    public async Task Pulling_everything_skips_what_needs_acceptance_or_trust_and_pulls_the_rest()
    {
        await using var bed = await ModelsTestBed.CreateAsync();

        var outcomes = await bed.PullAsync();

        Assert.Equal("installed", outcomes.Single(o => o.Prior == "portrait").Result);
        var diffusion = outcomes.Single(o => o.Prior == "diffusion");
        Assert.Equal("skipped", diffusion.Result);
        Assert.Contains("--accept-licence diffusion", diffusion.Detail);
        Assert.Contains("--trust-on-first-use", outcomes.Single(o => o.Prior == "open").Detail);
        Assert.Equal("skipped", outcomes.Single(o => o.Prior == "registered").Result);
        Assert.All(bed.Server.Requests, r => Assert.Contains("/org/portrait/", r.Path));
    }

    [Fact]
    public async Task The_licence_prompt_decides_when_no_name_was_given_on_the_command_line()
    {
        await using var bed = await ModelsTestBed.CreateAsync();

        await Assert.ThrowsAsync<LicenceNotAcceptedException>(() =>
            bed.Puller.PullAsync(bed.Manifest, new PullRequest(["diffusion"], [], new FixedPrompt(false)), null, CancellationToken.None));
        Assert.Empty(bed.Server.Requests);

        var prompt = new FixedPrompt(true);
        await bed.Puller.PullAsync(bed.Manifest, new PullRequest(["diffusion"], [], prompt), null, CancellationToken.None);
        Assert.Equal(["diffusion"], prompt.Asked);
        Assert.True(File.Exists(bed.Installed("diffusion", "unet/config.json")));
    }

    private sealed class FixedPrompt(bool answer) : FaceCraft4D.Models.Licensing.ILicencePrompt
    {
        public List<string> Asked { get; } = [];

        public Task<bool> AskAsync(FaceCraft4D.Models.Manifest.PriorEntry prior, CancellationToken cancellationToken)
        {
            Asked.Add(prior.Name);
            return Task.FromResult(answer);
        }
    }
}
