using Microsoft.Data.Sqlite;

namespace CircuitInsights.Storage;

/// <summary>Opens feature-store databases with the settings every reader and writer uses (docs/store.md "Concurrency").</summary>
public static class StoreConnection
{
    /// <summary>Opens (creating when <paramref name="create"/>) a store for writing: WAL journal, foreign keys on, schema migrated.</summary>
    public static SqliteConnection OpenForWriting(string path, bool create = true)
    {
        string full = Path.GetFullPath(path);
        if (!create && !File.Exists(full)) throw new CircuitInsightsException($"{path}: feature store not found");
        if (Directory.Exists(full)) throw new CircuitInsightsException($"{path}: is a directory, expected a .sqlite file");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var conn = Open(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }, path);
        try
        {
            Execute(conn, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;");
            Schema.StoreSchema.Migrate(conn, path);
            return conn;
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing store read-only; refuses files that are not stores or whose schema is newer or older.</summary>
    public static SqliteConnection OpenForReading(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new CircuitInsightsException($"{path}: feature store not found");
        var conn = Open(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }, path);
        try
        {
            Execute(conn, "PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;");
            int version = Schema.StoreSchema.VersionOf(conn);
            if (version == 0) throw new CircuitInsightsException($"{path}: not a feature store (no schema_version table)");
            if (version != Schema.StoreSchema.CurrentVersion)
                throw new CircuitInsightsException($"{path}: feature store schema version {version}, this tool reads {Schema.StoreSchema.CurrentVersion}" +
                    (version < Schema.StoreSchema.CurrentVersion ? "; run 'circuit-insights store import --db' on it once to migrate" : "; upgrade circuit-insights"));
            return conn;
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    static SqliteConnection Open(SqliteConnectionStringBuilder builder, string path)
    {
        var conn = new SqliteConnection(builder.ToString());
        try
        {
            conn.Open();
            // reading the header makes SQLite validate the file now, not at the first query
            Execute(conn, "SELECT count(*) FROM sqlite_master");
            return conn;
        }
        catch (SqliteException e)
        {
            conn.Dispose();
            throw new CircuitInsightsException($"{path}: cannot open feature store ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    internal static void Execute(SqliteConnection conn, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
