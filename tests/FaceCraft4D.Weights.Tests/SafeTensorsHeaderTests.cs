using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Tests.Support;

namespace FaceCraft4D.Weights.Tests;

/// <summary>
/// The one header parser, seen through both access modes: every malformed file is refused by the lazy
/// <see cref="SafeTensorsFile"/> and by <see cref="InMemorySafeTensors"/> alike, naming the tensor at fault.
/// </summary>
public sealed class SafeTensorsHeaderTests
{
    public static TheoryData<string, string, int, string> MalformedFiles => new()
    {
        // name, header JSON, data bytes, text the message must contain
        { "shape does not fit offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12, "'w'" },
        { "gap between tensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}}", 6, "'b' leaves a gap" },
        { "data does not start at 0", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", 8, "'a' leaves a gap" },
        { "overlapping tensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[2,6]}}", 6, "'b' overlaps" },
        { "data past the end", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "needs 8 bytes after the header but the file has 4" },
        { "trailing bytes", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "4 bytes after the last tensor" },
        { "byte count overflows", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}", 16, "'w'" },
        { "negative dimension", "{\"w\":{\"dtype\":\"U8\",\"shape\":[-2],\"data_offsets\":[0,0]}}", 0, "'w'" },
        { "unsupported dtype", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, "F8_E4M3" },
        { "duplicate name", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2, "'w' twice" },
        { "missing data_offsets", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1, "'w'" },
        { "header not an object", "[1,2,3]", 0, "not a JSON object" },
        { "header not JSON", "{\"w\":", 0, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public async Task Malformed_file_is_refused_by_both_access_modes(string name, string json, int dataBytes, string expected)
    {
        var bytes = SafeTensorsBytes.Make(json, new byte[dataBytes]);
        using var dir = new TempDirectory();
        var path = dir.File("bad.safetensors");
        await File.WriteAllBytesAsync(path, bytes);

        var lazy = await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensorsFile.OpenAsync(path));
        Assert.Contains(expected, lazy.Message);
        Assert.Contains(path, lazy.Message);
        using var ms = new MemoryStream(bytes);
        var whole = await Assert.ThrowsAsync<InvalidDataException>(() => InMemorySafeTensors.ReadAsync(ms));
        Assert.Contains(expected, whole.Message);
        Assert.NotNull(name);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1000UL)]                  // more than the file holds
    [InlineData(100_000_001UL)]           // over the 100 MB cap
    [InlineData(ulong.MaxValue)]          // would be negative as a signed length
    public async Task Declared_header_length_is_checked_against_the_file(ulong declared)
    {
        var bytes = SafeTensorsBytes.Make("{}", [], declared);
        using var dir = new TempDirectory();
        var path = dir.File("bad.safetensors");
        await File.WriteAllBytesAsync(path, bytes);
        await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensorsFile.OpenAsync(path));
        await Assert.ThrowsAsync<InvalidDataException>(() => InMemorySafeTensors.ReadAsync(new MemoryStream(bytes)));
    }

    [Fact]
    public async Task Truncated_file_is_refused()
    {
        using var dir = new TempDirectory();
        var path = dir.File("short.safetensors");
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensorsFile.OpenAsync(path));
        await Assert.ThrowsAsync<InvalidDataException>(() => InMemorySafeTensors.ReadAsync(new MemoryStream(new byte[] { 1, 2, 3 })));
    }

    [Fact]
    public void Built_header_is_padded_to_8_bytes_and_parses_back_contiguously()
    {
        var built = SafeTensorsHeader.Build(
            [("b", SafeTensorsDType.F16, [3]), ("a", SafeTensorsDType.I64, []), ("z", SafeTensorsDType.F32, [0, 5])],
            [KeyValuePair.Create("format", "pt")]);
        long length = SafeTensorsHeader.ParseLength(built, built.Length + 14L, "built");
        Assert.Equal(0, length % 8);
        Assert.Equal(built.Length - 8, length);
        var header = SafeTensorsHeader.Parse(built.AsMemory(8), 14, "built");
        Assert.Equal(["b", "a", "z"], header.Entries.Select(e => e.Name)); // data order = given order
        Assert.Equal([(0L, 6L), (6L, 14L), (14L, 14L)], header.Entries.Select(e => (e.DataStart, e.DataEnd)));
        Assert.Equal("pt", header.Metadata["format"]);
        Assert.Equal(14, header.DataLength);
    }

    [Fact]
    public void Builder_refuses_duplicate_and_reserved_names()
    {
        Assert.Throws<ArgumentException>(() => SafeTensorsHeader.Build([("a", SafeTensorsDType.U8, [1]), ("a", SafeTensorsDType.U8, [1])], null));
        Assert.Throws<ArgumentException>(() => SafeTensorsHeader.Build([(SafeTensorsHeader.MetadataKey, SafeTensorsDType.U8, [1])], null));
    }

    [Fact]
    public void Dtype_table_is_consistent_for_every_dtype()
    {
        foreach (var dtype in Enum.GetValues<SafeTensorsDType>())
        {
            Assert.Equal(dtype, SafeTensorsDTypes.Parse(dtype.ToTag()));
            Assert.Equal(dtype, dtype.ToScalarType().ToSafeTensorsDType());
            using var t = TorchSharp.torch.zeros(1, dtype.ToScalarType());
            Assert.Equal(t.ElementSize, dtype.ElementSize());
        }
    }
}
