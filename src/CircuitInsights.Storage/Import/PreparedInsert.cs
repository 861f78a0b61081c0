using Microsoft.Data.Sqlite;

namespace CircuitInsights.Storage.Import;

/// <summary>A prepared statement with positional parameters <c>$1…$n</c>, reused for many rows inside one transaction.</summary>
public sealed class PreparedInsert : IDisposable
{
    readonly SqliteCommand _cmd;
    readonly SqliteParameter[] _params;

    public PreparedInsert(SqliteConnection conn, SqliteTransaction tx, string sql, int parameters)
    {
        _cmd = conn.CreateCommand();
        _cmd.Transaction = tx;
        _cmd.CommandText = sql;
        _params = new SqliteParameter[parameters];
        for (int i = 0; i < parameters; i++) _params[i] = _cmd.Parameters.Add(new SqliteParameter($"${i + 1}", null));
        _cmd.Prepare();
    }

    /// <summary>Executes with the given values (null → SQL NULL; float NaN/∞ → NULL); returns rows changed.</summary>
    public int Run(params object?[] values)
    {
        if (values.Length != _params.Length) throw new ArgumentException($"{values.Length} values for {_params.Length} parameters");
        for (int i = 0; i < values.Length; i++) _params[i].Value = Normalize(values[i]);
        return _cmd.ExecuteNonQuery();
    }

    /// <summary>Executes and returns the first column of the first row (e.g. with RETURNING id).</summary>
    public object? Scalar(params object?[] values)
    {
        for (int i = 0; i < values.Length; i++) _params[i].Value = Normalize(values[i]);
        return _cmd.ExecuteScalar();
    }

    static object Normalize(object? v) => v switch
    {
        null => DBNull.Value,
        float f when !float.IsFinite(f) => DBNull.Value,
        double d when !double.IsFinite(d) => DBNull.Value,
        bool b => b ? 1 : 0,
        _ => v,
    };

    public void Dispose() => _cmd.Dispose();
}
