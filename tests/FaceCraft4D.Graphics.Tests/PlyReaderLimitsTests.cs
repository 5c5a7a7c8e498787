using System.Text;
using FaceCraft4D.Graphics.Export;
using Xunit;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>The 3DGS PLY reader checks the header's declared size against the bytes it actually has before allocating.</summary>
public sealed class PlyReaderLimitsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_header_claiming_2_pow_40_vertices_is_refused_without_a_huge_allocation(bool seekable)
    {
        var bytes = Header(1L << 40).Concat(new byte[62 * 4]).ToArray();

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => GaussianPlyFile.ReadAsync(Stream(bytes, seekable)));

        Assert.Contains("1099511627776", e.Message);
    }

    [Fact]
    public async Task A_vertex_count_whose_byte_size_overflows_is_refused()
    {
        var bytes = Header(long.MaxValue / 64);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => GaussianPlyFile.ReadAsync(Stream(bytes, seekable: false)));

        Assert.Contains("overflow", e.Message);
    }

    [Fact]
    public async Task A_header_line_without_end_is_refused_without_buffering_it()
    {
        var bytes = Encoding.ASCII.GetBytes("ply\nformat binary_little_endian 1.0\ncomment ").Concat(new byte[1 << 20].Select(_ => (byte)'x')).ToArray();

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => GaussianPlyFile.ReadAsync(Stream(bytes, seekable: false)));

        Assert.Contains($"{GaussianPlyFile.MaxHeaderLineLength}", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_truncated_body_is_refused_naming_the_declared_size(bool seekable)
    {
        var file = await WriteAsync(Gaussians(3));
        var truncated = file[..^10];

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => GaussianPlyFile.ReadAsync(Stream(truncated, seekable)));

        Assert.Contains((3 * 62 * 4).ToString(), e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_complete_file_still_reads_back(bool seekable)
    {
        var g = Gaussians(5);

        var read = await GaussianPlyFile.ReadAsync(Stream(await WriteAsync(g), seekable));

        Assert.Equal(5, read.Count);
        Assert.Equal(g.Positions, read.Positions);
        Assert.Equal(g.ShRest, read.ShRest);
        Assert.Equal(g.Rotations, read.Rotations);
    }

    private static byte[] Header(long vertices)
    {
        var header = new StringBuilder("ply\nformat binary_little_endian 1.0\n").Append("element vertex ").Append(vertices).Append('\n');
        foreach (var name in GaussianPlyFile.PropertyNames) header.Append("property float ").Append(name).Append('\n');
        return Encoding.ASCII.GetBytes(header.Append("end_header\n").ToString());
    }

    private static PlyGaussians Gaussians(int n)
    {
        float[] Seq(int length, float offset) => Enumerable.Range(0, length).Select(i => offset + i * 0.25f).ToArray();
        return new PlyGaussians
        {
            Count = n, Positions = Seq(n * 3, 1), ShDc = Seq(n * 3, 2), ShRest = Seq(n * GaussianPlyFile.RestCount, 3),
            OpacityLogits = Seq(n, 4), LogScales = Seq(n * 3, -5), Rotations = Seq(n * 4, 0.5f),
        };
    }

    private static async Task<byte[]> WriteAsync(PlyGaussians g)
    {
        using var stream = new MemoryStream();
        await GaussianPlyFile.WriteAsync(g, stream);
        return stream.ToArray();
    }

    private static Stream Stream(byte[] bytes, bool seekable) => seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(bytes);

    /// <summary>A network-like stream: no length, no seeking.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
