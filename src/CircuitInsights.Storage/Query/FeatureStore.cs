using System.Text.Json;
using CircuitInsights.Storage.Import;
using Microsoft.Data.Sqlite;

namespace CircuitInsights.Storage.Query;

/// <summary>
/// Read-only access to a feature store (one run). Every query is answered from indexes (docs/store.md "Indexes"), so
/// search and feature pages stay fast with hundreds of thousands of features. Not thread-safe: open one per request.
/// </summary>
public sealed partial class FeatureStore : IDisposable
{
    readonly SqliteConnection _conn;

    public string Path { get; }

    FeatureStore(string path, SqliteConnection conn) { Path = path; _conn = conn; }

    public static FeatureStore Open(string path) => new(path, StoreConnection.OpenForReading(path));

    public void Dispose() => _conn.Dispose();

    // ------------------------------------------------------------------ helpers

    SqliteCommand Command(string sql, params object?[] args)
    {
        var cmd = _conn.CreateCommand();
        cmd.CommandText = sql;
        for (int i = 0; i < args.Length; i++) cmd.Parameters.AddWithValue($"${i + 1}", args[i] ?? DBNull.Value);
        return cmd;
    }

    List<T> Rows<T>(string sql, Func<SqliteDataReader, T> map, params object?[] args)
    {
        using var cmd = Command(sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }

    T? Row<T>(string sql, Func<SqliteDataReader, T> map, params object?[] args) where T : class => Rows(sql, map, args).FirstOrDefault();

    long Scalar(string sql, params object?[] args)
    {
        using var cmd = Command(sql, args);
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L);
    }

    static string? S(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    static long? L(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
    static int? I(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
    static double? D(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
    static bool? B(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i) != 0;
    static JsonElement? J(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : JsonDocument.Parse(r.GetString(i)).RootElement.Clone();

    // ------------------------------------------------------------------ run

    public RunOverview Overview()
    {
        var run = Row("""
            SELECT model, transcoder_format, transcoder_source, transcoder_model, input_hook, output_hook, activation, input_centering,
              output_bias, skip, cross_layer, width, layers_json, tool_version, created_at, updated_at FROM run WHERE id = 1
            """, r => new RunRecord(S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), S(r, 5), S(r, 6), B(r, 7), B(r, 8), B(r, 9), B(r, 10), I(r, 11),
            S(r, 12) is { } l ? JsonSerializer.Deserialize<int[]>(l) ?? [] : [], r.GetString(13), r.GetString(14), r.GetString(15)));
        var layers = Rows("SELECT layer, features, active, weightlens, circuitlens FROM layer_summary ORDER BY layer",
            r => new LayerSummary(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)));
        var imports = Rows("SELECT id, kind, source, imported_at, tool_version, counts_json FROM imports ORDER BY id DESC LIMIT 200",
            r => new ImportRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), J(r, 5)));
        var counts = Rows("SELECT name, rows FROM table_counts ORDER BY name", r => (r.GetString(0), r.GetInt64(1))).ToDictionary(x => x.Item1, x => x.Item2);
        return new RunOverview(run, Schema.StoreSchema.VersionOf(_conn), layers, imports, Graphs(), counts);
    }

    public IReadOnlyList<GraphSummary> Graphs() =>
        Rows("SELECT id, slug, prompt, node_count, link_count, feature_count FROM graphs ORDER BY id LIMIT 1000",
            r => new GraphSummary(r.GetInt64(0), r.GetString(1), S(r, 2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5)));

    /// <summary>The graph JSON as imported, or null.</summary>
    public string? GraphJson(long id) => Row("SELECT graph_json FROM graphs WHERE id = $1", r => r.GetString(0), id);

    public bool HasFeature(int layer, int index) => Scalar("SELECT count(*) FROM features WHERE layer = $1 AND idx = $2", layer, index) > 0;

    /// <summary>The preferred description of a feature: wl+cl, then circuitlens, weightlens, maxact, external.</summary>
    public string? BestDescription(int layer, int index) => Row("""
        SELECT text FROM descriptions WHERE layer = $1 AND idx = $2
        ORDER BY CASE method WHEN 'wl+cl' THEN 0 WHEN 'circuitlens' THEN 1 WHEN 'weightlens' THEN 2 WHEN 'maxact' THEN 3 ELSE 4 END, id LIMIT 1
        """, r => r.GetString(0), layer, index);

    public IReadOnlyDictionary<int, string> TokenTexts(IEnumerable<int> ids)
    {
        var list = ids.Distinct().ToArray();
        if (list.Length == 0) return new Dictionary<int, string>();
        return Rows("SELECT id, text FROM vocab WHERE id IN (SELECT value FROM json_each($1))", r => (r.GetInt32(0), r.GetString(1)), JsonSerializer.Serialize(list))
            .ToDictionary(x => x.Item1, x => x.Item2);
    }
}
