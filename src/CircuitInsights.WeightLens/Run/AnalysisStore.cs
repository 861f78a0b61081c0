using System.Text.Json;
using CircuitInsights.Formats;
using CircuitInsights.WeightLens.Projection;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Run;

/// <summary>
/// Checkpoints of the projection phase: one small JSON file per finished batch (<c>analysis/L{layer}_{first}-{last}.json</c>,
/// written atomically), so an interrupted run resumes with the batches it has not finished. Values are written with
/// round-trip precision, so a resumed run produces byte-identical outputs. Unreadable files (not written by this run)
/// are reported and recomputed.
/// </summary>
internal sealed class AnalysisStore(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Loads every checkpointed analysis; returns them and the names of files that could not be read.</summary>
    public (List<FeatureAnalysis> Analyses, List<string> Bad) LoadAll()
    {
        var list = new List<FeatureAnalysis>();
        var bad = new List<string>();
        if (!System.IO.Directory.Exists(Directory)) return (list, bad);
        foreach (var tmp in System.IO.Directory.EnumerateFiles(Directory, "*.tmp")) TryDelete(tmp);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            try { list.AddRange(Read(file)); }
            catch (Exception e) when (e is JsonException or IOException or InvalidDataException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                bad.Add(file);
                TryDelete(file);
            }
        }
        return (list, bad);
    }

    public void Save(IReadOnlyList<FeatureAnalysis> batch)
    {
        if (batch.Count == 0) return;
        var first = batch[0].Feature;
        string path = Path.Combine(Directory, $"L{first.Layer}_{first.Index}-{batch[^1].Feature.Index}_{batch.Count}.json");
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream);
            w.WriteStartArray();
            foreach (var a in batch) Write(w, a);
            w.WriteEndArray();
        });
    }

    public void Delete()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }

    static void Write(Utf8JsonWriter w, FeatureAnalysis a)
    {
        w.WriteStartObject();
        w.WriteNumber("layer", a.Feature.Layer);
        w.WriteNumber("index", a.Feature.Index);
        Scores(w, "in_pos", a.InputPositive);
        Scores(w, "in_neg", a.InputNegative);
        Scores(w, "out_pos", a.OutputPositive);
        Scores(w, "out_neg", a.OutputNegative);
        w.WriteStartArray("up");
        foreach (var u in a.Upstream) { w.WriteStartArray(); w.WriteNumberValue(u.FromLayer); w.WriteNumberValue(u.FromIndex); w.WriteNumberValue(u.Contribution); w.WriteEndArray(); }
        w.WriteEndArray();
        w.WriteNumber("emb_sum", a.EmbeddingAbsSum);
        w.WriteStartArray("up_sums");
        foreach (var s in a.UpstreamAbsSums) { w.WriteStartArray(); w.WriteNumberValue(s.Layer); w.WriteNumberValue(s.Sum); w.WriteEndArray(); }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static void Scores(Utf8JsonWriter w, string name, TokenScore[] scores)
    {
        w.WriteStartArray(name);
        foreach (var s in scores) { w.WriteStartArray(); w.WriteNumberValue(s.TokenId); w.WriteNumberValue(s.Value); w.WriteEndArray(); }
        w.WriteEndArray();
    }

    static List<FeatureAnalysis> Read(string file)
    {
        using var stream = File.OpenRead(file);
        using var doc = JsonDocument.Parse(stream);
        var list = new List<FeatureAnalysis>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            list.Add(new FeatureAnalysis
            {
                Feature = new FeatureId(e.GetProperty("layer").GetInt32(), e.GetProperty("index").GetInt32()),
                InputPositive = ReadScores(e.GetProperty("in_pos")),
                InputNegative = ReadScores(e.GetProperty("in_neg")),
                OutputPositive = ReadScores(e.GetProperty("out_pos")),
                OutputNegative = ReadScores(e.GetProperty("out_neg")),
                Upstream = e.GetProperty("up").EnumerateArray().Select(u => new UpstreamLink(u[0].GetInt32(), u[1].GetInt32(), u[2].GetSingle())).ToArray(),
                EmbeddingAbsSum = e.GetProperty("emb_sum").GetSingle(),
                UpstreamAbsSums = e.GetProperty("up_sums").EnumerateArray().Select(u => new LayerAbsSum(u[0].GetInt32(), u[1].GetSingle())).ToArray(),
            });
        }
        return list;
    }

    static TokenScore[] ReadScores(JsonElement e) => e.EnumerateArray().Select(s => new TokenScore(s[0].GetInt32(), s[1].GetSingle())).ToArray();

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
