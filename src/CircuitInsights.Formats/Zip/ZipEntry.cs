namespace CircuitInsights.Formats;

/// <summary>One entry of a zip central directory (sizes already widened from zip64 extra fields).</summary>
/// <param name="Method">0 = stored, 8 = deflated.</param>
/// <param name="LocalHeaderOffset">Offset of the entry's local file header in the archive.</param>
public sealed record ZipEntry(string Name, int Method, int Flags, uint Crc32, long CompressedSize, long UncompressedSize, long LocalHeaderOffset)
{
    public bool IsStored => Method == 0;
    public bool IsDeflated => Method == 8;
    public bool IsEncrypted => (Flags & 1) != 0;
}
