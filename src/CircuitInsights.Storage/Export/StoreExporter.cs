using System.Text;
using System.Text.Json;
using CircuitInsights.Formats;
using CircuitInsights.Storage.Import;
using Microsoft.Data.Sqlite;

namespace CircuitInsights.Storage.Export;

/// <summary>
/// <c>store export</c>: writes every table of a store as <c>{table}.jsonl</c> (one JSON object per row, keys = column
/// names; <c>*_json</c> columns are embedded as JSON under the name without the suffix, <c>*_f32</c> BLOBs as number
/// arrays), each graph's JSON verbatim as <c>graphs/{id}.json</c>, and <c>manifest.json</c> (schema version, rows per
/// table). Files are written atomically; the read is one snapshot of the store.
/// </summary>
public static class StoreExporter
{
    public static readonly string[] Tables =
    [
        "schema_version", "run", "imports", "features", "histograms", "vocab", "windows", "contexts", "attributions", "clusters",
        "weightlens", "weightlens_links", "feature_tokens", "descriptions", "scores", "graphs", "graph_features",
    ];

    public static IReadOnlyDictionary<string, long> Export(string dbPath, string outDir)
    {
        using var conn = StoreConnection.OpenForReading(dbPath);
        Directory.CreateDirectory(outDir);
        Directory.CreateDirectory(Path.Combine(outDir, "graphs"));
        var counts = new Dictionary<string, long>();
        using var tx = conn.BeginTransaction(deferred: true); // one consistent snapshot
        foreach (string table in Tables)
            AtomicFile.Write(Path.Combine(outDir, table + ".jsonl"), s => counts[table] = WriteTable(conn, tx, table, s));
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT id, graph_json FROM graphs ORDER BY id";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                string json = r.GetString(1);
                AtomicFile.WriteAllText(Path.Combine(outDir, "graphs", $"{r.GetInt64(0)}.json"), json);
            }
        }
        AtomicFile.Write(Path.Combine(outDir, "manifest.json"), s => JsonSerializer.Serialize(s, new
        {
            format = "circuit-insights feature store export", schema_version = Schema.StoreSchema.VersionOf(conn),
            tool_version = StoreWriter.ToolVersion, source = Path.GetFullPath(dbPath), rows = counts,
        }, new JsonSerializerOptions { WriteIndented = true }));
        return counts;
    }

    static long WriteTable(SqliteConnection conn, SqliteTransaction tx, string table, Stream stream)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT * FROM {table}";
        using var r = cmd.ExecuteReader();
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        long n = 0;
        while (r.Read())
        {
            json.WriteStartObject();
            for (int i = 0; i < r.FieldCount; i++)
            {
                string name = r.GetName(i);
                if (table == "graphs" && name == "graph_json") continue; // written to graphs/{id}.json
                if (r.IsDBNull(i)) { json.WriteNull(StripSuffix(name)); continue; }
                if (name.EndsWith("_json", StringComparison.Ordinal))
                {
                    json.WritePropertyName(StripSuffix(name));
                    using var doc = JsonDocument.Parse(r.GetString(i));
                    doc.RootElement.WriteTo(json);
                }
                else if (name.EndsWith("_f32", StringComparison.Ordinal))
                {
                    json.WriteStartArray(StripSuffix(name));
                    foreach (var v in Float32Blob.Decode((byte[])r.GetValue(i))) json.WriteNumberValue(v);
                    json.WriteEndArray();
                }
                else
                    switch (r.GetValue(i))
                    {
                        case long l: json.WriteNumber(name, l); break;
                        case double d: json.WriteNumber(name, d); break;
                        case string s: json.WriteString(name, s); break;
                        case byte[] b: json.WriteBase64String(name, b); break;
                        case var o: json.WriteString(name, o.ToString()); break;
                    }
            }
            json.WriteEndObject();
            json.Flush();
            json.Reset();
            stream.WriteByte((byte)'\n');
            n++;
        }
        return n;
    }

    static string StripSuffix(string name) =>
        name.EndsWith("_json", StringComparison.Ordinal) || name.EndsWith("_f32", StringComparison.Ordinal) ? name[..name.LastIndexOf('_')] : name;
}
