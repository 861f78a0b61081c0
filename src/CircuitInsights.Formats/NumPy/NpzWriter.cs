using System.IO.Compression;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// Writes a NumPy <c>.npz</c> archive: one <c>name.npy</c> entry per tensor, stored (<c>np.savez</c>) or deflated
/// (<c>np.savez_compressed</c>); the file is written atomically.
/// </summary>
public static class NpzWriter
{
    public static void Write(string path, IEnumerable<TensorData> tensors, bool compressed = false) =>
        AtomicFile.Write(path, stream => Write(stream, tensors, compressed));

    public static void Write(Stream stream, IEnumerable<TensorData> tensors, bool compressed = false)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!names.Add(t.Name)) throw new ArgumentException($"tensor '{t.Name}' was given twice");
            var entry = zip.CreateEntry(t.Name + ".npy", compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            using var s = entry.Open();
            NpyWriter.Write(s, t);
        }
    }
}
