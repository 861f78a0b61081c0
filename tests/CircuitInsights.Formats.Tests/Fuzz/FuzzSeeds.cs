using System.IO.Compression;
using System.Text;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Formats.Tests;

/// <summary>Helpers shared by the fuzz test classes.</summary>
internal static class FuzzSeeds
{
    internal static void Drain(ITensorSource source)
    {
        foreach (var t in source.Tensors)
        {
            var data = source.Load(t.Name);
            if (data.ElementCount is > 0 and < (1 << 20)) _ = data.ToFloatArray();
        }
    }

    internal static byte[] SafeTensorsSeed(Action<SafeTensorsWriter> add)
    {
        var w = new SafeTensorsWriter();
        add(w);
        var ms = new MemoryStream();
        w.WriteTo(ms);
        return ms.ToArray();
    }

    internal static byte[] Entry(string file, string suffix)
    {
        using var zip = ZipFile.OpenRead(Fixtures.Path(file));
        var e = zip.Entries.Single(x => x.FullName.EndsWith(suffix, StringComparison.Ordinal));
        using var s = e.Open();
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    internal static List<byte[]> PickleSeeds() =>
    [
        Entry("pchlenski_style.pt", "/data.pkl"),
        Entry("mixed_dtypes.pt", "/data.pkl"),
        File.ReadAllBytes(Fixtures.Path("malicious_os_system.pkl")),
        File.ReadAllBytes(Fixtures.Path("malicious_popen.pkl")),
        PickleWriter.Dumps(new Dictionary<string, object?>
        {
            ["a"] = new List<object?> { 1, -70000, 1L << 40, 0.5, "s", new byte[] { 1 }, null, true },
            ["t"] = new PyTuple(1, 2, 3, 4, 5),
            ["o"] = new PyNewObj(new PyGlobal("m", "C"), new PyTuple(), new Dictionary<string, object?> { ["x"] = 1 }),
            ["s"] = new PyReduce(new PyGlobal("builtins", "set"), new PyTuple(new List<object?> { 1 })),
        }),
        Encoding.Latin1.GetBytes("(dp0\nS'a'\np1\nI12\nsS'b'\nF1.5\nsVx\\u00e9\nL1234567890123456789012345L\ns(lp2\ng1\nag2\na."),
    ];

    internal static void WalkConfig(ConfigObject c, int depth)
    {
        if (depth > 8) return;
        foreach (var key in c.Keys.Take(50))
        {
            Try(() => c.GetInt(key));
            Try(() => c.GetDouble(key));
            Try(() => c.GetString(key));
            Try(() => c.GetBool(key));
            Try(() => c.GetIntList(key));
            Try(() => c.GetStringList(key));
            Try(() => WalkConfig(c.GetObject(key), depth + 1));
        }
    }

    internal static void Try(Action a)
    {
        try { a(); } catch (InvalidModelFileException) { }
    }
}
