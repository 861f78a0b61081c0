using System.Text;
using System.Text.Json;
using Parquet;

namespace CircuitInsights.CircuitLens.Corpus;

/// <summary>
/// Streams documents from plain text files or folders (one document per file; <c>.txt</c>, <c>.md</c> or no extension,
/// folders recursively in ordinal name order, skipping hidden files and folders and README / LICENSE / NOTICE files, which
/// dataset folders carry next to the data), JSON Lines (<c>.jsonl</c>, the <c>text</c> field or another one) and
/// Parquet (<c>.parquet</c>, the format of Hugging Face datasets; a string column). The order is deterministic.
/// </summary>
public static class CorpusReader
{
    public static IEnumerable<CorpusDocument> Read(string path, string textField = "text")
    {
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => IsCorpusFile(f) && !IsHiddenOrMetadata(Path.GetRelativePath(path, f))).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw new CircuitInsightsException($"{path}: no corpus files (.txt, .md, .jsonl, .parquet) in folder");
            return files.SelectMany(f => ReadFile(f, textField, Path.GetRelativePath(path, f)));
        }
        if (File.Exists(path)) return ReadFile(path, textField, Path.GetFileName(path));
        throw new CircuitInsightsException($"{path}: corpus file or folder not found");
    }

    static bool IsCorpusFile(string f)
    {
        string ext = Path.GetExtension(f).ToLowerInvariant();
        return ext is ".txt" or ".md" or ".jsonl" or ".parquet" or "";
    }

    static readonly string[] MetadataNames = ["README", "LICENSE", "LICENCE", "NOTICE", "COPYING"];

    static bool IsHiddenOrMetadata(string relative) =>
        relative.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'))
        || MetadataNames.Contains(Path.GetFileNameWithoutExtension(relative).ToUpperInvariant());

    static IEnumerable<CorpusDocument> ReadFile(string file, string textField, string id)
    {
        string ext = Path.GetExtension(file).ToLowerInvariant();
        return ext switch
        {
            ".jsonl" => ReadJsonl(file, textField, id),
            ".parquet" => ReadParquet(file, textField, id),
            _ => [new CorpusDocument(id, ReadText(file))],
        };
    }

    static string ReadText(string file)
    {
        try { return File.ReadAllText(file, Encoding.UTF8); }
        catch (IOException e) { throw new CircuitInsightsException($"{file}: cannot read ({e.Message})", e); }
    }

    static IEnumerable<CorpusDocument> ReadJsonl(string file, string field, string id)
    {
        using var reader = new StreamReader(file, Encoding.UTF8);
        int lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string? text;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(field, out var v))
                    throw new CircuitInsightsException($"{file}: line {lineNo}: no '{field}' field (use --text-field to choose another)");
                if (v.ValueKind != JsonValueKind.String) throw new CircuitInsightsException($"{file}: line {lineNo}: '{field}' is {v.ValueKind}, expected a string");
                text = v.GetString();
            }
            catch (JsonException e)
            {
                throw new CircuitInsightsException($"{file}: line {lineNo}: invalid JSON ({e.Message})", e);
            }
            yield return new CorpusDocument($"{id}:{lineNo}", text ?? "");
        }
    }

    static IEnumerable<CorpusDocument> ReadParquet(string file, string field, string id)
    {
        ParquetReader reader;
        try { reader = ParquetReader.CreateAsync(file).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is not CircuitInsightsException) { throw new CircuitInsightsException($"{file}: not a readable Parquet file ({e.Message})", e); }
        try
        {
            var dataField = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == field)
                ?? throw new CircuitInsightsException($"{file}: no column '{field}' (columns: {string.Join(", ", reader.Schema.GetDataFields().Select(f => f.Name))}); use --text-field");
            long row = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                string[] values;
                using (var group = reader.OpenRowGroupReader(g))
                {
                    values = new string[group.RowCount];
                    try { group.ReadAsync(dataField, values).AsTask().GetAwaiter().GetResult(); }
                    catch (Exception e) when (e is not CircuitInsightsException) { throw new CircuitInsightsException($"{file}: column '{field}' is not a string column or is corrupt ({e.Message})", e); }
                }
                foreach (var v in values) yield return new CorpusDocument($"{id}:{row++}", v ?? "");
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
