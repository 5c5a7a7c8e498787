using FaceCraft4D.Models.Installation;
using FaceCraft4D.Weights;
using Xunit;

namespace FaceCraft4D.Models.Tests;

public sealed class VerifyAndImportTests
{
    [Fact]
    public async Task Verify_detects_a_tampered_file()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        await bed.PullAsync("portrait");
        var path = bed.Installed("portrait", "stitching.safetensors");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);

        var status = Assert.Single(await bed.Verifier.CheckAsync(bed.Manifest, ["portrait"], hash: true, CancellationToken.None));

        Assert.Equal(PriorState.Corrupt, status.State);
        Assert.True(status.IsProblem(named: true));
        var file = Assert.Single(status.Files, f => f.State == FileState.Corrupt);
        Assert.Equal("stitching.safetensors", file.Install);
        Assert.Contains("sha256", file.Detail);
        // the cheap check of list does not hash, but a truncated file shows by its size
        await File.WriteAllBytesAsync(path, bytes[..^8]);
        Assert.Equal(PriorState.Corrupt, (await bed.Verifier.CheckAsync(bed.Manifest, ["portrait"], hash: false, CancellationToken.None))[0].State);
    }

    [Fact]
    public async Task Verify_reports_missing_files_and_not_installed_priors()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        await bed.PullAsync("portrait");
        File.Delete(bed.Installed("portrait", "appearance.safetensors"));

        var statuses = await bed.Verifier.CheckAsync(bed.Manifest, [], hash: true, CancellationToken.None);

        var portrait = statuses.Single(s => s.Prior.Name == "portrait");
        Assert.Equal(PriorState.Incomplete, portrait.State);
        Assert.Equal(FileState.Missing, portrait.Files.Single(f => f.Install == "appearance.safetensors").State);
        var open = statuses.Single(s => s.Prior.Name == "open");
        Assert.Equal(PriorState.NotInstalled, open.State);
        Assert.False(open.IsProblem(named: false));
        Assert.True(open.IsProblem(named: true));
    }

    [Fact]
    public async Task Import_of_official_files_converts_and_installs_them()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        var source = Path.Combine(bed.Directory, "incoming", "pretrained_weights", "liveportrait");
        Directory.CreateDirectory(Path.Combine(source, "base_models"));
        Directory.CreateDirectory(Path.Combine(source, "elsewhere"));
        await File.WriteAllBytesAsync(Path.Combine(source, "base_models", "appearance.pth"), bed.Weights.AppearancePth);
        await File.WriteAllBytesAsync(Path.Combine(source, "elsewhere", "stitching.pth"), bed.Weights.StitchingPth); // found by name

        var outcomes = await bed.Importer.ImportAsync(bed.Manifest, Path.Combine(bed.Directory, "incoming"), [], null, CancellationToken.None);

        Assert.Equal("installed", Assert.Single(outcomes).Result);
        Assert.Empty(bed.Server.Requests);
        using (var file = await SafeTensorsFile.OpenAsync(bed.Installed("portrait", "appearance.safetensors")))
            Assert.Contains("conv_lower.conv.weight", file.Entries.Keys);
        var status = Assert.Single(await bed.Verifier.CheckAsync(bed.Manifest, ["portrait"], true, CancellationToken.None));
        Assert.Equal(PriorState.Installed, status.State);
    }

    [Fact]
    public async Task Import_accepts_already_converted_files_and_refuses_a_wrong_official_one()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        await bed.PullAsync("portrait");
        var converted = Path.Combine(bed.Directory, "converted", "portrait", "v1");
        Directory.CreateDirectory(converted);
        foreach (var name in new[] { "appearance.safetensors", "stitching.safetensors" })
            File.Copy(bed.Installed("portrait", name), Path.Combine(converted, name));
        Directory.Delete(bed.Folder.PriorFolder(bed.Prior("portrait")), recursive: true);

        await bed.Importer.ImportAsync(bed.Manifest, Path.Combine(bed.Directory, "converted"), ["portrait"], null, CancellationToken.None);
        Assert.Equal(PriorState.Installed, (await bed.Verifier.CheckAsync(bed.Manifest, ["portrait"], true, CancellationToken.None))[0].State);

        var wrong = Path.Combine(bed.Directory, "wrong");
        Directory.CreateDirectory(wrong);
        var bad = (byte[])bed.Weights.AppearancePth.Clone();
        bad[^20] ^= 1;
        await File.WriteAllBytesAsync(Path.Combine(wrong, "appearance.pth"), bad);
        var before = await FileHashing.Sha256Async(bed.Installed("portrait", "appearance.safetensors"), CancellationToken.None);
        await Assert.ThrowsAsync<ChecksumMismatchException>(() =>
            bed.Importer.ImportAsync(bed.Manifest, wrong, ["portrait"], null, CancellationToken.None));
        Assert.Equal(before, await FileHashing.Sha256Async(bed.Installed("portrait", "appearance.safetensors"), CancellationToken.None));
    }

    [Fact]
    public async Task Import_of_a_folder_without_manifest_files_says_so()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        var empty = Path.Combine(bed.Directory, "empty");
        Directory.CreateDirectory(empty);
        await File.WriteAllTextAsync(Path.Combine(empty, "readme.txt"), "nothing");

        var error = await Assert.ThrowsAsync<ModelsException>(() => bed.Importer.ImportAsync(bed.Manifest, empty, [], null, CancellationToken.None));
        Assert.Contains("holds no file of the manifest", error.Message);
    }
}
