namespace CircuitInsights.Formats;

/// <summary>Reads a config file's text with a size limit, reporting problems as <see cref="InvalidModelFileException"/>.</summary>
internal static class ConfigFile
{
    public const long MaxBytes = 256L << 20;

    public static byte[] ReadBytes(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new InvalidModelFileException(path, Directory.Exists(path) ? "is a directory, expected a config file" : "file not found");
            if (info.Length > MaxBytes) throw new InvalidModelFileException(path, $"config file of {info.Length} bytes exceeds the {MaxBytes}-byte limit");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidModelFileException(path, $"cannot read file: {e.Message}", e);
        }
    }

    /// <summary>Line starts of <paramref name="bytes"/>, for turning byte offsets into 1-based line numbers.</summary>
    public static int[] LineStarts(ReadOnlySpan<byte> bytes)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < bytes.Length; i++) if (bytes[i] == (byte)'\n') starts.Add(i + 1);
        return starts.ToArray();
    }

    public static int LineOf(int[] lineStarts, long offset)
    {
        int i = Array.BinarySearch(lineStarts, (int)Math.Min(offset, int.MaxValue));
        return (i >= 0 ? i : ~i - 1) + 1;
    }
}
