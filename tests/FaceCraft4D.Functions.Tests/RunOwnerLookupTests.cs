using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>Where a run's owner comes from: its owner record, the local owner for runs stored before owners existed, and upload paths.</summary>
public sealed class RunOwnerLookupTests
{
    private const string RunId = "fc4d-0123456789abcdef-0badc0de";

    [Fact]
    public async Task The_owner_record_names_the_owner_and_a_run_without_one_is_the_local_owners_only_if_it_has_an_input()
    {
        var blobs = new InMemoryBlobStore();
        var ownership = new RunOwnership(blobs);

        Assert.Null(await ownership.FindOwnerAsync(RunId, default)); // no such run
        await blobs.WriteAsync(StorageLayout.RunInput(RunId, "settings.json"), BinaryData.FromString("{}"), "application/json", default);
        Assert.Equal(RunIdentity.LocalOwner, await ownership.FindOwnerAsync(RunId, default)); // stored before owners existed
        await blobs.WriteAsync(StorageLayout.RunInput(RunId, RunInputFactory.OwnerFileName),
            BinaryData.FromObjectAsJson(new RunOwnerRecord("alice"), ContractJson.Options), "application/json", default);
        Assert.Equal("alice", await ownership.FindOwnerAsync(RunId, default));
        Assert.Null(await ownership.FindOwnerAsync("../" + RunId, default));
    }

    [Theory]
    [InlineData("photo.jpg", false, RunIdentity.LocalOwner)]
    [InlineData("alice/photo.jpg", false, RunIdentity.LocalOwner)]
    [InlineData("0f0e0d0c-aaaa-bbbb-cccc-000000000001/photo.jpg", true, "0f0e0d0c-aaaa-bbbb-cccc-000000000001")]
    [InlineData("alice/2026/photo.jpg", true, "alice")]
    [InlineData("photo.jpg", true, null)]
    [InlineData("alice/", true, null)]
    [InlineData("al ice/photo.jpg", true, null)]
    [InlineData("../photo.jpg", true, null)]
    public void An_upload_belongs_to_its_first_folder_when_configured_else_to_the_local_owner(string blobName, bool ownerFromPath, string? owner) =>
        Assert.Equal(owner, UploadOwner.FromPath(blobName, ownerFromPath));
}
