using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using CircuitInsights.Formats;

namespace CircuitInsights.Testing;

/// <summary>
/// Writes small zip archives for tests: stored entries whose data can be aligned (via an extra field, as torch's
/// writer pads to 64 bytes) or deflated entries; sizes and CRCs are correct unless a test overrides them.
/// </summary>
public sealed class ZipBuilder
{
    sealed record Item(string Name, byte[] Data, bool Deflate, int Align, uint? CrcOverride, long? SizeOverride);

    readonly List<Item> _items = [];

    public ZipBuilder Add(string name, byte[] data, bool deflate = false, int align = 0, uint? crcOverride = null, long? sizeOverride = null)
    {
        _items.Add(new Item(name, data, deflate, align, crcOverride, sizeOverride));
        return this;
    }

    public byte[] Build()
    {
        var ms = new MemoryStream();
        var central = new MemoryStream();
        Span<byte> h = stackalloc byte[30];
        Span<byte> c46 = stackalloc byte[46];
        foreach (var item in _items)
        {
            byte[] name = Encoding.UTF8.GetBytes(item.Name);
            byte[] payload = item.Data;
            if (item.Deflate)
            {
                var c = new MemoryStream();
                using (var d = new DeflateStream(c, CompressionLevel.Optimal, leaveOpen: true)) d.Write(item.Data);
                payload = c.ToArray();
            }
            uint crc = item.CrcOverride ?? Crc32.Compute(item.Data);
            long usize = item.SizeOverride ?? item.Data.Length;
            long offset = ms.Position;
            int extraLen = 0;
            if (item.Align > 0)
            {
                long dataStart = offset + 30 + name.Length + 4;
                extraLen = 4 + (int)((item.Align - dataStart % item.Align) % item.Align);
            }
            ushort method = item.Deflate ? (ushort)8 : (ushort)0;
            h.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
            BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20);
            BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 0x800);
            BinaryPrimitives.WriteUInt16LittleEndian(h[8..], method);
            BinaryPrimitives.WriteUInt16LittleEndian(h[10..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(h[12..], 0x21);
            BinaryPrimitives.WriteUInt32LittleEndian(h[14..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)usize);
            BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)extraLen);
            ms.Write(h);
            ms.Write(name);
            if (extraLen > 0)
            {
                var extra = new byte[extraLen];
                extra[0] = (byte)'F'; extra[1] = (byte)'B';
                BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)(extraLen - 4));
                ms.Write(extra);
            }
            ms.Write(payload);

            c46.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(c46, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(c46[4..], 20);
            BinaryPrimitives.WriteUInt16LittleEndian(c46[6..], 20);
            BinaryPrimitives.WriteUInt16LittleEndian(c46[8..], 0x800);
            BinaryPrimitives.WriteUInt16LittleEndian(c46[10..], method);
            BinaryPrimitives.WriteUInt16LittleEndian(c46[14..], 0x21);
            BinaryPrimitives.WriteUInt32LittleEndian(c46[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(c46[20..], (uint)payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(c46[24..], (uint)usize);
            BinaryPrimitives.WriteUInt16LittleEndian(c46[28..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(c46[42..], (uint)offset);
            central.Write(c46);
            central.Write(name);
        }
        long cdOffset = ms.Position;
        central.Position = 0;
        central.CopyTo(ms);
        Span<byte> e = stackalloc byte[22];
        e.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)_items.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[10..], (ushort)_items.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(e[12..], (uint)central.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(e[16..], (uint)cdOffset);
        ms.Write(e);
        return ms.ToArray();
    }
}
