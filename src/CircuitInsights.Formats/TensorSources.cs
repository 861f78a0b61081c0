using System.Buffers.Binary;

namespace CircuitInsights.Formats;

/// <summary>
/// Opens any supported weights file or directory as an <see cref="ITensorSource"/>, choosing the reader by name:
/// <c>*.safetensors.index.json</c> → <see cref="ShardedSafeTensors"/>; <c>*.safetensors</c> → <see cref="SafeTensorsFile"/>;
/// <c>*.npz</c> → <see cref="NpzArchive"/>; <c>*.npy</c> → <see cref="NpyFile"/>; <c>*.pt</c>, <c>*.pth</c>, <c>*.bin</c>,
/// <c>*.ckpt</c> → <see cref="TorchCheckpoint"/>. Other names are recognised by their first bytes. A directory is
/// opened through <c>model.safetensors.index.json</c>, else <c>model.safetensors</c>, else its only <c>*.safetensors</c>
/// file, else <c>pytorch_model.bin</c>, else its only <c>*.npz</c>.
/// </summary>
public static class TensorSources
{
    public static ITensorSource Open(string path)
    {
        if (Directory.Exists(path)) return OpenDirectory(path);
        if (!File.Exists(path))
            throw new InvalidModelFileException(path, "no such file or directory");
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".safetensors.index.json", StringComparison.Ordinal)) return ShardedSafeTensors.Open(path);
        if (name.EndsWith(".safetensors", StringComparison.Ordinal)) return SafeTensorsFile.Open(path);
        if (name.EndsWith(".npz", StringComparison.Ordinal)) return NpzArchive.Open(path);
        if (name.EndsWith(".npy", StringComparison.Ordinal)) return NpyFile.Open(path);
        if (name.EndsWith(".pt", StringComparison.Ordinal) || name.EndsWith(".pth", StringComparison.Ordinal) ||
            name.EndsWith(".bin", StringComparison.Ordinal) || name.EndsWith(".ckpt", StringComparison.Ordinal))
            return TorchCheckpoint.Open(path);
        return OpenBySignature(path);
    }

    static ITensorSource OpenDirectory(string dir)
    {
        string index = Path.Combine(dir, "model.safetensors.index.json");
        if (File.Exists(index)) return ShardedSafeTensors.Open(index);
        string single = Path.Combine(dir, "model.safetensors");
        if (File.Exists(single)) return SafeTensorsFile.Open(single);
        var indexes = Directory.GetFiles(dir, "*.safetensors.index.json");
        if (indexes.Length == 1) return ShardedSafeTensors.Open(indexes[0]);
        var safetensors = Directory.GetFiles(dir, "*.safetensors");
        if (safetensors.Length == 1) return SafeTensorsFile.Open(safetensors[0]);
        if (safetensors.Length > 1)
            throw new InvalidModelFileException(dir, $"directory holds {safetensors.Length} .safetensors files but no model.safetensors.index.json; open one file explicitly");
        string bin = Path.Combine(dir, "pytorch_model.bin");
        if (File.Exists(bin)) return TorchCheckpoint.Open(bin);
        var npz = Directory.GetFiles(dir, "*.npz");
        if (npz.Length == 1) return NpzArchive.Open(npz[0]);
        throw new InvalidModelFileException(dir, "directory has no weights: looked for model.safetensors.index.json, model.safetensors, *.safetensors, pytorch_model.bin and *.npz");
    }

    static ITensorSource OpenBySignature(string path)
    {
        Span<byte> head = stackalloc byte[16];
        int n;
        try
        {
            using var f = File.OpenRead(path);
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidModelFileException(path, $"cannot read file: {e.Message}", e);
        }
        head = head[..n];
        if (n >= 6 && head[..6].SequenceEqual(NpyHeader.Magic)) return NpyFile.Open(path);
        if (ZipDirectory.LooksLikeZip(head))
        {
            // torch.save archives contain data.pkl; anything else zipped is treated as .npz.
            bool isTorch;
            using (var probe = ByteSource.MapFile(path))
                isTorch = ZipDirectory.Read(probe, "zip archive").Entries.Any(e => e.Name == "data.pkl" || e.Name.EndsWith("/data.pkl", StringComparison.Ordinal));
            return isTorch ? TorchCheckpoint.Open(path) : NpzArchive.Open(path);
        }
        if (n >= 9 && BinaryPrimitives.ReadUInt64LittleEndian(head) < SafeTensorsHeader.MaxHeaderBytes && head[8] == (byte)'{')
            return SafeTensorsFile.Open(path);
        if (n > 0 && head[0] == 0x80) return TorchCheckpoint.Open(path); // reports the legacy-format error
        throw new InvalidModelFileException(path, "unrecognised file type (expected .safetensors, .safetensors.index.json, .npz, .npy or a torch .pt/.pth/.bin zip)");
    }
}
