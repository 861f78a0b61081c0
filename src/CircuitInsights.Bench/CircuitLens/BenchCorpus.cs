using System.Text;
using CircuitInsights.Demo;

namespace CircuitInsights.Bench.CircuitLensBench;

/// <summary>
/// The benchmark corpus: the shipped Brown Corpus subset (data/corpus/brown, embedded in CircuitInsights.Demo), one JSON
/// Lines document per Brown file (≈ 3 000 tokens each, so nearly every window is full), repeated in order until the text
/// holds about <c>tokens</c> GPT-2 tokens (English prose: ≈ 4.5 characters per token; 6 are written per token for margin).
/// </summary>
public static class BenchCorpus
{
    /// <summary>Writes <c>brown.jsonl</c> into <paramref name="directory"/>; returns its path.</summary>
    public static string Write(string directory, long tokens)
    {
        Directory.CreateDirectory(directory);
        var files = DemoCorpus.BrownFiles.Select(f => (Name: f, Text: DemoCorpus.ReadBrown(f))).ToArray();
        if (files.Length == 0) throw new InvalidOperationException("the Brown corpus resources are missing from CircuitInsights.Demo");
        string path = Path.Combine(directory, "brown.jsonl");
        long chars = 0, target = 6 * tokens;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        for (int copy = 0; chars < target; copy++)
            foreach (var (name, text) in files)
            {
                w.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { id = $"{copy}:{name}", text }));
                chars += text.Length;
                if (chars >= target) break;
            }
        return path;
    }
}
