using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CircuitInsights.Formats;

/// <summary>
/// Reads the central directory of a zip archive held in a <see cref="ByteSource"/> (PKWARE APPNOTE 4.3: end of central
/// directory record, optional zip64 locator/record, central directory headers with zip64 extra field 0x0001, local
/// headers). Stored entries are served as byte ranges of the source (so their data can be mapped without copying);
/// deflated entries are inflated once, never beyond their declared size, and checked against their CRC-32.
/// </summary>
internal sealed class ZipDirectory
{
    const uint EocdSignature = 0x06054b50, Zip64EocdSignature = 0x06064b50, Zip64LocatorSignature = 0x07064b50;
    const uint CentralSignature = 0x02014b50, LocalSignature = 0x04034b50;

    readonly ByteSource _source;
    readonly Dictionary<string, ZipEntry> _byName;

    public IReadOnlyList<ZipEntry> Entries { get; }
    string File => _source.Location;

    ZipDirectory(ByteSource source, List<ZipEntry> entries)
    {
        _source = source;
        Entries = entries;
        _byName = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
        foreach (var e in entries) _byName[e.Name] = e; // the last of duplicate names wins, as in Python's zipfile
    }

    /// <summary>True when the source starts like a zip archive (local header or empty-archive EOCD signature).</summary>
    public static bool LooksLikeZip(ReadOnlySpan<byte> first4) =>
        first4.Length >= 4 && first4[0] == (byte)'P' && first4[1] == (byte)'K' && (first4[2], first4[3]) is (3, 4) or (5, 6);

    public bool TryGet(string name, out ZipEntry entry) => _byName.TryGetValue(name, out entry!);

    public static ZipDirectory Read(ByteSource source, string kind)
    {
        string file = source.Location;
        long len = source.Length;
        if (len < 22) throw new InvalidModelFileException(file, $"{(len == 0 ? "empty file" : $"file of {len} bytes is too short")}; expected a {kind} (zip archive)");
        long eocd = -1;
        long lowest = Math.Max(0, len - 22 - 0xFFFF);
        var tail = source.Span(lowest, (int)(len - lowest));
        for (long p = len - 22; p >= lowest; p--)
        {
            var s = tail.Slice((int)(p - lowest));
            if (BinaryPrimitives.ReadUInt32LittleEndian(s) == EocdSignature && p + 22 + BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(20)) <= len)
            {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) throw new InvalidModelFileException(file, $"no zip end-of-central-directory record found; not a {kind} or truncated");

        var e = source.Span(eocd, 22);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(e.Slice(10));
        long cdSize = BinaryPrimitives.ReadUInt32LittleEndian(e.Slice(12));
        long cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(e.Slice(16));
        if (count == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF)
            (count, cdSize, cdOffset) = ReadZip64Eocd(source, eocd, file);

        source.CheckRange(cdOffset, cdSize, "zip central directory");
        if (count > cdSize / 46 + 1) throw new InvalidModelFileException(file, $"zip directory claims {count} entries in {cdSize} bytes (corrupt)");

        var entries = new List<ZipEntry>((int)Math.Min(count, 1 << 16));
        long pos = cdOffset, end = cdOffset + cdSize;
        for (long i = 0; i < count; i++)
        {
            if (end - pos < 46) throw new InvalidModelFileException(file, $"zip central directory entry {i} is truncated");
            var h = source.Span(pos, 46, "zip central directory");
            if (BinaryPrimitives.ReadUInt32LittleEndian(h) != CentralSignature)
                throw new InvalidModelFileException(file, $"zip central directory entry {i} at offset {pos} has a bad signature");
            int flags = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(8));
            int method = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(10));
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h.Slice(16));
            long csize = BinaryPrimitives.ReadUInt32LittleEndian(h.Slice(20));
            long usize = BinaryPrimitives.ReadUInt32LittleEndian(h.Slice(24));
            int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(28));
            int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(30));
            int commentLen = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(32));
            long local = BinaryPrimitives.ReadUInt32LittleEndian(h.Slice(42));
            long next = pos + 46 + nameLen + extraLen + commentLen;
            if (next > end) throw new InvalidModelFileException(file, $"zip central directory entry {i} runs past the directory end");
            var nameBytes = source.Span(pos + 46, nameLen);
            string name = (flags & 0x800) != 0 ? DecodeUtf8(nameBytes, file, i) : Encoding.Latin1.GetString(nameBytes);
            var extra = source.Span(pos + 46 + nameLen, extraLen);
            ApplyZip64Extra(extra, ref usize, ref csize, ref local, file, name);
            if (usize < 0 || csize < 0 || local < 0)
                throw new InvalidModelFileException(file, $"zip entry '{name}' has sizes or offsets beyond 2^63 (corrupt)");
            entries.Add(new ZipEntry(name, method, flags, crc, csize, usize, local));
            pos = next;
        }
        return new ZipDirectory(source, entries);
    }

    static string DecodeUtf8(ReadOnlySpan<byte> bytes, string file, long i)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw new InvalidModelFileException(file, $"zip entry {i} has a name that is not valid UTF-8");
        return Encoding.UTF8.GetString(bytes);
    }

    static (long Count, long Size, long Offset) ReadZip64Eocd(ByteSource source, long eocd, string file)
    {
        if (eocd < 20) throw new InvalidModelFileException(file, "zip64 end-of-central-directory locator is missing");
        var loc = source.Span(eocd - 20, 20);
        if (BinaryPrimitives.ReadUInt32LittleEndian(loc) != Zip64LocatorSignature)
            throw new InvalidModelFileException(file, "zip64 end-of-central-directory locator is missing");
        ulong recOffset = BinaryPrimitives.ReadUInt64LittleEndian(loc.Slice(8));
        if (recOffset > (ulong)source.Length) throw new InvalidModelFileException(file, "zip64 end-of-central-directory record lies outside the file");
        var rec = source.Span((long)recOffset, 56, "zip64 end-of-central-directory record");
        if (BinaryPrimitives.ReadUInt32LittleEndian(rec) != Zip64EocdSignature)
            throw new InvalidModelFileException(file, "zip64 end-of-central-directory record has a bad signature");
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(rec.Slice(32));
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(rec.Slice(40));
        ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(rec.Slice(48));
        if (count > long.MaxValue || size > long.MaxValue || offset > long.MaxValue)
            throw new InvalidModelFileException(file, "zip64 directory sizes are out of range (corrupt)");
        return ((long)count, (long)size, (long)offset);
    }

    static void ApplyZip64Extra(ReadOnlySpan<byte> extra, ref long usize, ref long csize, ref long local, string file, string name)
    {
        int p = 0;
        while (p + 4 <= extra.Length)
        {
            int id = BinaryPrimitives.ReadUInt16LittleEndian(extra.Slice(p));
            int size = BinaryPrimitives.ReadUInt16LittleEndian(extra.Slice(p + 2));
            if (p + 4 + size > extra.Length) break;
            if (id == 0x0001)
            {
                var d = extra.Slice(p + 4, size);
                int q = 0;
                if (usize == 0xFFFFFFFF) usize = Read64(d, ref q, file, name);
                if (csize == 0xFFFFFFFF) csize = Read64(d, ref q, file, name);
                if (local == 0xFFFFFFFF) local = Read64(d, ref q, file, name);
                return;
            }
            p += 4 + size;
        }
    }

    static long Read64(ReadOnlySpan<byte> d, ref int q, string file, string name)
    {
        if (q + 8 > d.Length) throw new InvalidModelFileException(file, $"zip entry '{name}': zip64 extra field is too short");
        long v = (long)BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(q));
        q += 8;
        return v;
    }

    /// <summary>Byte offset and length of the entry's (compressed) data in the archive, after checking the local header.</summary>
    public (long Offset, long Length) DataRange(ZipEntry entry)
    {
        string what = $"zip entry '{entry.Name}'";
        if (entry.IsEncrypted) throw new InvalidModelFileException(File, $"{what} is encrypted");
        var h = _source.Span(entry.LocalHeaderOffset, 30, $"{what} local header");
        if (BinaryPrimitives.ReadUInt32LittleEndian(h) != LocalSignature)
            throw new InvalidModelFileException(File, $"{what}: local header at offset {entry.LocalHeaderOffset} has a bad signature");
        int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(26));
        int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(28));
        long start = entry.LocalHeaderOffset + 30 + nameLen + extraLen;
        _source.CheckRange(start, entry.CompressedSize, $"{what} data");
        return (start, entry.CompressedSize);
    }

    /// <summary>Offset of a stored (uncompressed) entry's bytes in the archive, for zero-copy access.</summary>
    public long StoredOffset(ZipEntry entry)
    {
        if (!entry.IsStored) throw new InvalidOperationException($"zip entry '{entry.Name}' is not stored");
        if (entry.CompressedSize != entry.UncompressedSize)
            throw new InvalidModelFileException(File, $"zip entry '{entry.Name}' is stored but its sizes differ ({entry.CompressedSize} vs {entry.UncompressedSize})");
        return DataRange(entry).Offset;
    }

    /// <summary>
    /// The entry's uncompressed bytes in a new pinned array (inflated for deflated entries, copied for stored ones), at
    /// most <paramref name="maxBytes"/>; the CRC-32 is verified.
    /// </summary>
    public byte[] ReadAll(ZipEntry entry, long maxBytes)
    {
        string what = $"zip entry '{entry.Name}'";
        if (entry.UncompressedSize > maxBytes || entry.UncompressedSize > Array.MaxLength)
            throw new InvalidModelFileException(File, $"{what} declares {entry.UncompressedSize} bytes, more than the {Math.Min(maxBytes, Array.MaxLength)}-byte limit");
        var (offset, length) = DataRange(entry);
        byte[] data;
        if (entry.IsStored)
        {
            if (entry.CompressedSize != entry.UncompressedSize)
                throw new InvalidModelFileException(File, $"{what} is stored but its sizes differ ({entry.CompressedSize} vs {entry.UncompressedSize})");
            data = GC.AllocateUninitializedArray<byte>((int)length, pinned: true);
            _source.Span(offset, (int)length, what).CopyTo(data);
        }
        else if (entry.IsDeflated)
        {
            data = Inflate(offset, length, (int)entry.UncompressedSize, what);
        }
        else
        {
            throw new InvalidModelFileException(File, $"{what} uses compression method {entry.Method}; only stored (0) and deflated (8) are supported");
        }
        uint crc = Crc32.Compute(data);
        if (crc != entry.Crc32)
            throw new InvalidModelFileException(File, $"{what}: CRC-32 mismatch (expected {entry.Crc32:X8}, found {crc:X8}); the archive is corrupt");
        return data;
    }

    /// <summary>The first bytes of the entry's uncompressed data (at most <paramref name="count"/>), without inflating the rest.</summary>
    public byte[] ReadPrefix(ZipEntry entry, int count)
    {
        string what = $"zip entry '{entry.Name}'";
        var (offset, length) = DataRange(entry);
        int n = (int)Math.Min(count, entry.UncompressedSize);
        if (entry.IsStored) return _source.Span(offset, (int)Math.Min(n, length), what).ToArray();
        if (!entry.IsDeflated)
            throw new InvalidModelFileException(File, $"{what} uses compression method {entry.Method}; only stored (0) and deflated (8) are supported");
        var buffer = new byte[n];
        int filled = 0;
        try
        {
            using var raw = _source.OpenStream(offset, length, what);
            using var inflater = new DeflateStream(raw, CompressionMode.Decompress);
            while (filled < n)
            {
                int r = inflater.Read(buffer, filled, n - filled);
                if (r == 0) break;
                filled += r;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidModelFileException(File, $"{what}: deflate data is corrupt ({e.Message})", e);
        }
        return filled == n ? buffer : buffer[..filled];
    }

    byte[] Inflate(long offset, long length, int declared, string what)
    {
        // Grow towards the declared size instead of trusting it up front, so a garbled header cannot force a huge allocation.
        int capacity = (int)Math.Min(declared, Math.Max(1L << 16, length * 4));
        byte[] buffer = GC.AllocateUninitializedArray<byte>(capacity, pinned: true);
        int filled = 0;
        try
        {
            using var raw = _source.OpenStream(offset, length, what);
            using var inflater = new DeflateStream(raw, CompressionMode.Decompress);
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (filled == declared)
                    {
                        Span<byte> probe = stackalloc byte[1];
                        if (inflater.Read(probe) != 0)
                            throw new InvalidModelFileException(File, $"{what} inflates to more than its declared {declared} bytes (corrupt)");
                        break;
                    }
                    var bigger = GC.AllocateUninitializedArray<byte>((int)Math.Min(declared, (long)buffer.Length * 2), pinned: true);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    buffer = bigger;
                }
                int n = inflater.Read(buffer, filled, buffer.Length - filled);
                if (n == 0) break;
                filled += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidModelFileException(File, $"{what}: deflate data is corrupt ({e.Message})", e);
        }
        if (filled != declared)
            throw new InvalidModelFileException(File, $"{what} inflates to {filled} bytes but declares {declared} (truncated or corrupt)");
        return buffer;
    }
}
