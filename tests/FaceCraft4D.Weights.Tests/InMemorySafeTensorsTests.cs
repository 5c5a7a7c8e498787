using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Tests;

public sealed class InMemorySafeTensorsTests
{
    [Fact]
    public async Task Round_trip_preserves_names_types_shapes_values_and_metadata()
    {
        using var scope = torch.NewDisposeScope();
        var file = new InMemorySafeTensors();
        var a = torch.randn(new long[] { 3, 4, 2 });
        var b = HeldScalarOps.Arange(10, ScalarType.Int64).reshape(2, 5);
        var c = torch.tensor(new[] { 1.5, -2.25 }, ScalarType.Float64);
        var d = torch.tensor(new[] { true, false, true });
        var e = torch.zeros(new long[] { 0, 3 });
        file.Add("a", a).Add("b", b).Add("c", c).Add("flags", d).Add("empty", e);
        file.Metadata["format"] = "test/1";

        using var ms = new MemoryStream();
        await file.WriteAsync(ms);
        var bytes = ms.ToArray();
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLen % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLen));
        Assert.Equal("F32", header.RootElement.GetProperty("a").GetProperty("dtype").GetString());

        ms.Position = 0;
        var back = await InMemorySafeTensors.ReadAsync(ms);
        Assert.Equal(new[] { "a", "b", "c", "flags", "empty" }, back.Names);
        Assert.Equal("test/1", back.Metadata["format"]);
        Assert.True(a.eq(back.GetTorch("a")).all().item<bool>());
        Assert.True(b.eq(back.GetTorch("b")).all().item<bool>());
        Assert.True(c.eq(back.GetTorch("c")).all().item<bool>());
        Assert.True(d.eq(back.GetTorch("flags")).all().item<bool>());
        Assert.Equal(new long[] { 0, 3 }, back.GetTorch("empty").shape);
        Assert.Equal(SafeTensorsDType.I64, back["b"].DType);
    }

    [Fact]
    public async Task Reads_a_file_written_by_hand_from_the_format_description()
    {
        // Header first lists the second tensor to check that offsets, not order, locate the data.
        var json = "{\"__metadata__\":{\"k\":\"v\"},\"y\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var header = Encoding.UTF8.GetBytes(json);
        var data = new byte[16];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), 1.25f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), -3f);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), 7);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(12), -9);
        using var ms = new MemoryStream();
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        ms.Write(len); ms.Write(header); ms.Write(data);
        ms.Position = 0;
        var file = await InMemorySafeTensors.ReadAsync(ms);
        Assert.Equal("v", file.Metadata["k"]);
        Assert.Equal(new[] { 1.25f, -3f }, file.GetTorch("x").data<float>().ToArray());
        Assert.Equal(new[] { 7, -9 }, file.GetTorch("y").data<int>().ToArray());
    }

    [Fact]
    public async Task Rejects_offsets_that_do_not_match_the_shape()
    {
        var json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        var header = Encoding.UTF8.GetBytes(json);
        using var ms = new MemoryStream();
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        ms.Write(len); ms.Write(header); ms.Write(new byte[8]);
        ms.Position = 0;
        await Assert.ThrowsAsync<InvalidDataException>(() => InMemorySafeTensors.ReadAsync(ms));
    }

    [Fact]
    public async Task Reads_from_a_stream_that_cannot_seek()
    {
        using var scope = torch.NewDisposeScope();
        var file = new InMemorySafeTensors().Add("w", HeldScalarOps.Arange(6, ScalarType.Float32).reshape(2, 3));
        using var forwardOnly = new ForwardOnlyStream(file.ToArray());
        var back = await InMemorySafeTensors.ReadAsync(forwardOnly);
        Assert.True(back.GetTorch("w").eq(HeldScalarOps.Arange(6, ScalarType.Float32).reshape(2, 3)).all().item<bool>());
    }

    [Fact]
    public async Task Stream_ending_before_the_declared_data_is_refused()
    {
        using var scope = torch.NewDisposeScope();
        var bytes = new InMemorySafeTensors().Add("w", torch.ones(8)).ToArray();
        using var forwardOnly = new ForwardOnlyStream(bytes[..^4]);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => InMemorySafeTensors.ReadAsync(forwardOnly));
        Assert.Contains("ends before", ex.Message);
    }

    [Theory]
    [InlineData(99_000_000L, 0L)] // a header length just under the 100 MB cap, then nothing
    [InlineData(64L, 2_000_000_000L)] // a short header declaring a ~2 GB tensor, then 16 bytes
    public async Task A_lying_header_on_a_stream_that_cannot_seek_is_refused_without_allocating_what_it_declares(long headerBytes, long tensorBytes)
    {
        byte[] bytes;
        if (tensorBytes == 0)
        {
            bytes = new byte[8 + 16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes);
        }
        else
        {
            var json = System.Text.Encoding.ASCII.GetBytes($"{{\"w\":{{\"dtype\":\"U8\",\"shape\":[{tensorBytes}],\"data_offsets\":[0,{tensorBytes}]}}}}");
            bytes = new byte[8 + json.Length + 16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
            json.CopyTo(bytes, 8);
        }

        using var forwardOnly = new ForwardOnlyStream(bytes);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => InMemorySafeTensors.ReadAsync(forwardOnly));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains("ends before", ex.Message);
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes for a {bytes.Length}-byte stream");
    }

    [Fact]
    public void Module_state_round_trips_through_bytes()
    {
        using var scope = torch.NewDisposeScope();
        using var module = nn.Sequential(("fc", nn.Linear(3, 2)), ("bn", nn.BatchNorm1d(2)));
        var file = InMemorySafeTensors.FromStateDict(module, "test/1");
        var back = InMemorySafeTensors.FromArray(file.ToArray());
        Assert.Equal("test/1", back.Metadata["format"]);
        Assert.Equal(module.state_dict().Keys, back.Names);
        foreach (var (name, tensor) in module.state_dict())
            Assert.True(tensor.eq(back.GetTorch(name)).all().item<bool>(), name);
    }

    /// <summary>A read-only stream that cannot seek and has no length (like a blob download).</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 5));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
