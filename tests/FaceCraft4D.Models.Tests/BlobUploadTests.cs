using Azure.Storage.Blobs;
using FaceCraft4D.Contracts;
using FaceCraft4D.Models.Blob;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Models.Tests;

public sealed class BlobUploadTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task To_blob_uploads_the_installed_folder_under_the_same_paths_once()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        await bed.PullAsync("portrait");
        var service = BlobServiceClientFactory.Create(new StorageOptions { ConnectionString = azurite.ConnectionString });
        var uploader = new ModelBlobUploader(service);
        var prior = bed.Prior("portrait");

        var (uploaded, unchanged) = await uploader.UploadAsync(bed.Folder, prior, StorageLayout.ModelsContainer, null, CancellationToken.None);

        Assert.Equal((3, 0), (uploaded, unchanged)); // two safetensors + the install record
        var container = service.GetBlobContainerClient(StorageLayout.ModelsContainer);
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "portrait/v1/", CancellationToken.None)) names.Add(item.Name);
        Assert.Equal(["portrait/v1/.fc4d-install.json", "portrait/v1/appearance.safetensors", "portrait/v1/stitching.safetensors"], names.Order(StringComparer.Ordinal).ToArray());
        var content = await container.GetBlobClient("portrait/v1/appearance.safetensors").DownloadContentAsync();
        Assert.Equal(await File.ReadAllBytesAsync(bed.Installed("portrait", "appearance.safetensors")), content.Value.Content.ToArray());
        var props = await container.GetBlobClient("portrait/v1/appearance.safetensors").GetPropertiesAsync();
        Assert.Equal(await FileHashing.Sha256Async(bed.Installed("portrait", "appearance.safetensors"), CancellationToken.None), props.Value.Metadata[ModelBlobUploader.Sha256Metadata]);

        Assert.Equal((0, 3), await uploader.UploadAsync(bed.Folder, prior, StorageLayout.ModelsContainer, null, CancellationToken.None));
    }
}
