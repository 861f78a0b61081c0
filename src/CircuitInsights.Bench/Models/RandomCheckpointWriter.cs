using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace CircuitInsights.Bench.Models;

/// <summary>
/// Streams a checkpoint of random bf16 tensors to disk as HF sharded safetensors (<c>model-0000k-of-0000n.safetensors</c>
/// + <c>model.safetensors.index.json</c>) without holding it in memory: each shard's header is written first, then the
/// tensors' data generated chunk by chunk with xorshift64*. Weights are |w| ∈ [2⁻⁹, 2⁻⁵) with random sign (a typical
/// scale for 2k-wide layers); 1-D tensors (norm gains) get a constant <c>normValue</c>. Safetensors layout: u64 header
/// length, JSON header {name: {dtype, shape, data_offsets}} padded with spaces to 8 bytes, then the data.
/// </summary>
public static class RandomCheckpointWriter
{
    /// <summary>Writes the tensors (name, shape) in order, starting a new shard before one would exceed
    /// <paramref name="maxShardBytes"/>. Returns the total bytes of tensor data.</summary>
    public static long Write(string directory, IReadOnlyList<(string Name, int[] Shape)> tensors, float normValue, ulong seed, long maxShardBytes = 2L << 30)
    {
        Directory.CreateDirectory(directory);
        var shards = new List<List<(string Name, int[] Shape)>> { new() };
        long current = 0, total = 0;
        foreach (var t in tensors)
        {
            long bytes = Bytes(t.Shape);
            if (current > 0 && current + bytes > maxShardBytes) { shards.Add([]); current = 0; }
            shards[^1].Add(t);
            current += bytes;
            total += bytes;
        }
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        ulong state = seed | 1;
        for (int s = 0; s < shards.Count; s++)
        {
            string name = $"model-{s + 1:D5}-of-{shards.Count:D5}.safetensors";
            WriteShard(Path.Combine(directory, name), shards[s], normValue, ref state);
            foreach (var t in shards[s]) weightMap[t.Name] = name;
        }
        var index = new Dictionary<string, object> { ["metadata"] = new Dictionary<string, object> { ["total_size"] = total }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(directory, "model.safetensors.index.json"), JsonSerializer.Serialize(index));
        return total;
    }

    static long Bytes(int[] shape) => shape.Aggregate(2L, (a, d) => a * d);

    static void WriteShard(string path, List<(string Name, int[] Shape)> tensors, float normValue, ref ulong state)
    {
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = Bytes(shape);
            header.Append($",\"{name}\":{{\"dtype\":\"BF16\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        header.Append('}');
        while ((header.Length + 8) % 8 != 0) header.Append(' ');
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BitConverter.TryWriteBytes(length, (ulong)header.Length);
        file.Write(length);
        file.Write(Encoding.ASCII.GetBytes(header.ToString()));
        var chunk = new ushort[1 << 20];
        ushort norm = (ushort)(BitConverter.SingleToUInt32Bits(normValue) >> 16);
        foreach (var (_, shape) in tensors)
        {
            long remaining = Bytes(shape) / 2;
            bool isNorm = shape.Length == 1;
            while (remaining > 0)
            {
                int n = (int)Math.Min(chunk.Length, remaining);
                if (isNorm) chunk.AsSpan(0, n).Fill(norm);
                else Fill(chunk.AsSpan(0, n), ref state);
                file.Write(MemoryMarshal.AsBytes(chunk.AsSpan(0, n)));
                remaining -= n;
            }
        }
    }

    /// <summary>Four bf16 values per xorshift64* step: sign, exponent 118..121 (|w| ∈ [2⁻⁹, 2⁻⁵)), 7 mantissa bits.</summary>
    static void Fill(Span<ushort> values, ref ulong state)
    {
        ulong x = state;
        for (int i = 0; i < values.Length; i += 4)
        {
            x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
            ulong r = x * 0x2545F4914F6CDD1DUL;
            for (int j = 0; j < 4 && i + j < values.Length; j++)
            {
                uint bits = (uint)(r >> (16 * j)) & 0xFFFF;
                values[i + j] = (ushort)((bits & 0x807F) | ((118u + ((bits >> 7) & 3)) << 7));
            }
        }
        state = x;
    }
}
