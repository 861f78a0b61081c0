using System.Text.Json;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// A checkpoint split over several safetensors files, described by <c>model.safetensors.index.json</c>:
/// <c>{"metadata": {...}, "weight_map": {tensor name: shard file name}}</c> (Hugging Face convention; shard names are
/// relative to the index's directory). Every shard is mapped and validated on open, and every tensor named by the
/// index must exist in its shard.
/// </summary>
public sealed class ShardedSafeTensors : ITensorSource
{
    /// <summary>Largest index file accepted.</summary>
    const long MaxIndexBytes = 64L << 20;

    readonly Dictionary<string, SafeTensorsFile> _shards;
    readonly Dictionary<string, (SafeTensorsFile Shard, TensorInfo Info)> _map;

    public string Location { get; }
    public IReadOnlyList<TensorInfo> Tensors { get; }
    /// <summary>Shard files in the order they are first named by the index.</summary>
    public IReadOnlyList<string> ShardFiles { get; }
    /// <summary>The index's <c>metadata</c> object as raw JSON text per key (e.g. <c>total_size</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    ShardedSafeTensors(string location, Dictionary<string, SafeTensorsFile> shards, List<string> shardFiles,
        Dictionary<string, (SafeTensorsFile, TensorInfo)> map, List<TensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Location = location; _shards = shards; ShardFiles = shardFiles; _map = map; Tensors = tensors; Metadata = metadata;
    }

    /// <summary>Opens the index at <paramref name="indexPath"/> and all shards it names.</summary>
    public static ShardedSafeTensors Open(string indexPath)
    {
        var (weightMap, metadata) = ReadIndex(indexPath);
        string dir = Path.GetDirectoryName(Path.GetFullPath(indexPath)) ?? ".";
        var shards = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        var shardOrder = new List<string>();
        var map = new Dictionary<string, (SafeTensorsFile, TensorInfo)>(StringComparer.Ordinal);
        var tensors = new List<TensorInfo>();
        try
        {
            foreach (var (tensor, shardName) in weightMap)
            {
                if (!shards.TryGetValue(shardName, out var shard))
                {
                    string shardPath = ShardPath(indexPath, dir, tensor, shardName);
                    if (!File.Exists(shardPath))
                        throw new InvalidModelFileException(indexPath, $"tensor '{tensor}' is mapped to shard '{shardName}', but {shardPath} does not exist");
                    shard = SafeTensorsFile.Open(shardPath);
                    shards[shardName] = shard;
                    shardOrder.Add(shard.Location);
                }
                if (!shard.TryGetInfo(tensor, out var info))
                    throw new InvalidModelFileException(indexPath, $"tensor '{tensor}' is mapped to shard '{shardName}' ({shard.Location}), which does not contain it");
                map[tensor] = (shard, info);
                tensors.Add(info);
            }
        }
        catch
        {
            foreach (var s in shards.Values) s.Dispose();
            throw;
        }
        return new ShardedSafeTensors(indexPath, shards, shardOrder, map, tensors, metadata);
    }

    static string ShardPath(string indexPath, string dir, string tensor, string shardName)
    {
        if (shardName.Length == 0 || Path.IsPathRooted(shardName) || shardName.Replace('\\', '/').Split('/').Any(p => p is ".." or "") || shardName.Contains('\0'))
            throw new InvalidModelFileException(indexPath, $"tensor '{tensor}': shard name '{shardName}' must be a relative path inside the checkpoint directory");
        return Path.Combine(dir, shardName);
    }

    static (List<KeyValuePair<string, string>> WeightMap, Dictionary<string, string> Metadata) ReadIndex(string indexPath)
    {
        byte[] bytes;
        try
        {
            var fi = new FileInfo(indexPath);
            if (!fi.Exists) throw new InvalidModelFileException(indexPath, "file not found");
            if (fi.Length > MaxIndexBytes) throw new InvalidModelFileException(indexPath, $"index is {fi.Length} bytes, larger than the {MaxIndexBytes}-byte limit");
            bytes = File.ReadAllBytes(indexPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidModelFileException(indexPath, $"cannot read index: {e.Message}", e);
        }
        return ParseIndex(bytes, indexPath);
    }

    internal static (List<KeyValuePair<string, string>> WeightMap, Dictionary<string, string> Metadata) ParseIndex(byte[] bytes, string indexPath)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw new InvalidModelFileException(indexPath, "index is not valid UTF-8");
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16, AllowTrailingCommas = true });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidModelFileException(indexPath, $"index must be a JSON object, found {root.ValueKind}");
            if (!root.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
                throw new InvalidModelFileException(indexPath, "key 'weight_map': expected an object {tensor name: shard file}");
            var list = new List<KeyValuePair<string, string>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in wm.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new InvalidModelFileException(indexPath, $"key 'weight_map.{p.Name}': expected a shard file name (string), found {p.Value.ValueKind}");
                if (!seen.Add(p.Name))
                    throw new InvalidModelFileException(indexPath, $"tensor '{p.Name}' appears twice in weight_map");
                list.Add(new(p.Name, p.Value.GetString()!));
            }
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var md) && md.ValueKind == JsonValueKind.Object)
                foreach (var p in md.EnumerateObject()) metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            return (list, metadata);
        }
        catch (JsonException e)
        {
            throw new InvalidModelFileException(indexPath, $"index is not valid JSON: {SafeTensorsHeader.OneLine(e.Message)}", e);
        }
    }

    public bool TryGetInfo(string name, out TensorInfo info)
    {
        if (_map.TryGetValue(name, out var entry)) { info = entry.Info; return true; }
        info = null!;
        return false;
    }

    public TensorData Load(string name)
    {
        if (!_map.TryGetValue(name, out var entry))
            throw new InvalidModelFileException(Location, $"tensor '{name}' is not in the index's weight_map ({Tensors.Count} tensors)");
        return entry.Shard.Load(name);
    }

    public void Dispose()
    {
        foreach (var s in _shards.Values) s.Dispose();
    }
}
