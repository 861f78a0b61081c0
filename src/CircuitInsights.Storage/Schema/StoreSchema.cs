using Microsoft.Data.Sqlite;

namespace CircuitInsights.Storage.Schema;

/// <summary>
/// The feature-store schema (docs/store.md) as an ordered list of migrations. <c>schema_version</c> holds one row per
/// applied migration; opening a store applies the missing ones inside one transaction, and a store written by a newer
/// tool (a version above <see cref="CurrentVersion"/>) is refused rather than misread.
/// </summary>
public static class StoreSchema
{
    /// <summary>One step of the schema: its version, a one-line description and the SQL that brings version−1 to it.</summary>
    public sealed record Migration(int Version, string Description, string Sql);

    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "initial schema: run, imports, features, histograms, vocab, windows, contexts, attributions, clusters, " +
               "weightlens, feature tokens, descriptions (+FTS5 trigram), scores, graphs", SchemaV1.Sql),
    ];

    public static int CurrentVersion => Migrations[^1].Version;

    /// <summary>The version recorded in the store (0 for an empty database).</summary>
    public static int VersionOf(SqliteConnection connection)
    {
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(check.ExecuteScalar()) == 0) return 0;
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version";
        return Convert.ToInt32(cmd.ExecuteScalar());
    }

    /// <summary>Applies every migration above the store's version (one transaction); returns the versions applied.</summary>
    public static IReadOnlyList<int> Migrate(SqliteConnection connection, string path)
    {
        int version = VersionOf(connection);
        if (version > CurrentVersion)
            throw new CircuitInsightsException($"{path}: feature store schema version {version} is newer than this tool supports ({CurrentVersion}); upgrade circuit-insights");
        var applied = new List<int>();
        if (version == CurrentVersion) return applied;
        using var tx = connection.BeginTransaction();
        foreach (var m in Migrations.Where(m => m.Version > version))
        {
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = m.Sql;
            cmd.ExecuteNonQuery();
            using var record = connection.CreateCommand();
            record.Transaction = tx;
            record.CommandText = "INSERT INTO schema_version (version, applied_at, description) VALUES ($v, $t, $d)";
            record.Parameters.AddWithValue("$v", m.Version);
            record.Parameters.AddWithValue("$t", DateTime.UtcNow.ToString("O"));
            record.Parameters.AddWithValue("$d", m.Description);
            record.ExecuteNonQuery();
            applied.Add(m.Version);
        }
        tx.Commit();
        return applied;
    }
}
