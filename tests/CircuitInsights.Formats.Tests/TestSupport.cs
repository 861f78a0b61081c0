using System.Runtime.InteropServices;
using CircuitInsights.Formats;

namespace CircuitInsights.Formats.Tests;

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ci-formats-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string p = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        System.IO.File.WriteAllBytes(p, bytes);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}

public static class BadInput
{
    /// <summary>
    /// Runs <paramref name="action"/> and asserts it throws a <see cref="CircuitInsightsException"/> (normally
    /// <see cref="InvalidModelFileException"/>) whose one-line message contains every fragment.
    /// </summary>
    public static CircuitInsightsException Throws(Action action, params string[] fragments)
    {
        var e = Assert.ThrowsAny<CircuitInsightsException>(action);
        Assert.DoesNotContain('\n', e.Message);
        foreach (var f in fragments) Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"message \"{e.Message}\" lacks \"{f}\"");
        return e;
    }

    public static InvalidModelFileException ThrowsFile(Action action, params string[] fragments)
    {
        var e = Assert.IsType<InvalidModelFileException>(Throws(action, fragments));
        return e;
    }
}

public static class Bits
{
    public static byte[] Of<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
