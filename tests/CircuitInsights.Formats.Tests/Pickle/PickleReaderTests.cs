using System.Numerics;
using System.Text;
using CircuitInsights.Testing;

namespace CircuitInsights.Formats.Tests;

public sealed class PickleReaderTests
{
    static object? Load(byte[] bytes, Func<object?, object?>? persistent = null, PickleLimits? limits = null) =>
        PickleReader.Load(bytes, "test.pkl", "data.pkl", persistent, limits);

    static object? LoadText(string opcodes) => Load(Encoding.Latin1.GetBytes(opcodes));

    [Fact]
    public void Load_PlainValues_FromCSharpWriter()
    {
        var value = new Dictionary<string, object?>
        {
            ["i"] = 5, ["big"] = 1L << 40, ["neg"] = -70000, ["f"] = 0.25, ["s"] = "héllo", ["b"] = new byte[] { 1, 2 },
            ["n"] = null, ["t"] = true, ["list"] = new List<object?> { 1, "x" }, ["tuple"] = new PyTuple(1, 2, 3, 4),
        };
        var root = Assert.IsType<PickleDict>(Load(PickleWriter.Dumps(value)));
        Assert.Equal(5L, root["i"]);
        Assert.Equal(1L << 40, root["big"]);
        Assert.Equal(-70000L, root["neg"]);
        Assert.Equal(0.25, root["f"]);
        Assert.Equal("héllo", root["s"]);
        Assert.Equal(new byte[] { 1, 2 }, root["b"]);
        Assert.Null(root["n"]);
        Assert.Equal(true, root["t"]);
        Assert.Equal([1L, "x"], Assert.IsType<PickleList>(root["list"]));
        Assert.Equal([1L, 2L, 3L, 4L], Assert.IsType<PickleTuple>(root["tuple"]));
    }

    [Fact]
    public void Load_Protocol0Text_IsDecoded()
    {
        // (dp0\nS'a'\np1\nI12\nsS'b'\nF1.5\nsVx\\u00e9\nL123456789012345678901234567890L\ns.
        var root = Assert.IsType<PickleDict>(LoadText("(dp0\nS'a'\np1\nI12\nsS'b'\nF1.5\nsVx\\u00e9\nL123456789012345678901234567890L\ns."));
        Assert.Equal(12L, root["a"]);
        Assert.Equal(1.5, root["b"]);
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890"), root["xé"]);
    }

    [Fact]
    public void Load_MemoSharing_GivesTheSameObject()
    {
        var shared = new List<object?> { 1 };
        var root = Assert.IsType<PickleList>(Load(PickleWriter.Dumps(new List<object?> { shared, shared })));
        Assert.Same(root[0], root[1]);
    }

    [Fact]
    public void Load_OrderedDictWithState_KeepsOrderAndState()
    {
        var od = new PyOrderedDict([new("z", 1), new("a", 2)], State: new Dictionary<string, object?> { ["_metadata"] = "m" });
        var d = Assert.IsType<PickleDict>(Load(PickleWriter.Dumps(od)));
        Assert.True(d.IsOrdered);
        Assert.Equal(["z", "a"], d.StringKeys);
        Assert.Equal("m", Assert.IsType<PickleDict>(d.State)["_metadata"]);
    }

    [Fact]
    public void Load_UnknownClass_BecomesInertRecordWithState()
    {
        var obj = new PyNewObj(new PyGlobal("sae_training.config", "LanguageModelSAERunnerConfig"), new PyTuple(),
            new Dictionary<string, object?> { ["d_in"] = 768, ["hook_point"] = "blocks.8.ln2.hook_normalized" });
        var o = Assert.IsType<PickledObject>(Load(PickleWriter.Dumps(obj)));
        Assert.Equal("sae_training.config.LanguageModelSAERunnerConfig", o.FullName);
        Assert.True(o.TryGetField("d_in", out var d));
        Assert.Equal(768L, d);
        Assert.Equal(768L, PickleTree.GetInt(o, "d_in", "f"));
    }

    [Fact]
    public void Load_BuiltinsAndCodecs_AreEvaluatedAsData()
    {
        var value = new List<object?>
        {
            new PyReduce(new PyGlobal("builtins", "set"), new PyTuple(new List<object?> { 1, 2 })),
            new PyReduce(new PyGlobal("__builtin__", "frozenset"), new PyTuple(new List<object?> { 3 })),
            new PyReduce(new PyGlobal("_codecs", "encode"), new PyTuple("\u00ff\u0001", "latin1")),
            new PyReduce(new PyGlobal("torch", "Size"), new PyTuple(new PyTuple(2, 3))),
            new PyReduce(new PyGlobal("torch", "device"), new PyTuple("cuda", 1)),
            new PyReduce(new PyGlobal("builtins", "dict"), new PyTuple(new List<object?> { new PyTuple("k", 9) })),
        };
        var l = Assert.IsType<PickleList>(Load(PickleWriter.Dumps(value)));
        Assert.Equal([1L, 2L], Assert.IsType<PickleSet>(l[0]).Values);
        Assert.True(Assert.IsType<PickleSet>(l[1]).IsFrozen);
        Assert.Equal(new byte[] { 0xFF, 0x01 }, l[2]);
        Assert.Equal([2L, 3L], Assert.IsType<PickleTuple>(l[3]));
        Assert.Equal("cuda:1", l[4]);
        Assert.Equal(9L, Assert.IsType<PickleDict>(l[5])["k"]);
    }

    [Fact]
    public void Load_TruncatedMidStream_NamesFileStreamAndOffset()
    {
        var bytes = PickleWriter.Dumps(new Dictionary<string, object?> { ["a"] = "some text", ["b"] = new List<object?> { 1, 2, 3 } });
        for (int cut = 1; cut < bytes.Length; cut++)
        {
            var e = BadInput.ThrowsFile(() => Load(bytes[..cut]), "test.pkl", "data.pkl", "at byte");
            Assert.Equal("test.pkl", e.FilePath);
        }
    }

    [Fact]
    public void Load_MissingStop_ReportsTruncation() =>
        BadInput.ThrowsFile(() => LoadText("\u0080\u0002K\u0001"), "before STOP");

    [Fact]
    public void Load_UnknownOpcode_Throws() => BadInput.ThrowsFile(() => LoadText("\u0080\u0002\u00ff."), "0xFF", "unknown opcode");

    [Fact]
    public void Load_StackUnderflow_Throws() => BadInput.ThrowsFile(() => LoadText("\u0080\u0002a."), "stack underflow");

    [Fact]
    public void Load_BadMemoKey_Throws() => BadInput.ThrowsFile(() => LoadText("\u0080\u0002h\u0007."), "memo key 7");

    [Fact]
    public void Load_AppendToNonList_Throws() => BadInput.ThrowsFile(() => LoadText("\u0080\u0002K\u0001K\u0002a."), "APPEND target", "not a list");

    [Fact]
    public void Load_ExtensionCodes_AreRefused() => BadInput.ThrowsFile(() => LoadText("\u0080\u0002\u0082\u0001."), "extension registry");

    [Fact]
    public void Load_HugeLengthPrefix_FailsWithoutAllocating() =>
        BadInput.ThrowsFile(() => Load([0x80, 4, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, (byte)'.']), "exceeds the remaining input");

    [Fact]
    public void Load_DeepNesting_IsRejected()
    {
        // 100 000 nested lists built with EMPTY_LIST + APPEND: no recursion in the reader, rejected by the nesting limit.
        int n = 100_000;
        var b = new List<byte> { 0x80, 2 };
        for (int i = 0; i < n; i++) b.Add((byte)']');
        for (int i = 0; i < n - 1; i++) b.Add((byte)'a');
        b.Add((byte)'.');
        BadInput.ThrowsFile(() => Load(b.ToArray()), "nested deeper than 512");
    }

    [Fact]
    public void Load_DeepTupleNesting_IsRejected()
    {
        var b = new List<byte> { 0x80, 2, (byte)')' };
        for (int i = 0; i < 10_000; i++) b.Add(0x85); // TUPLE1 around the previous value
        b.Add((byte)'.');
        BadInput.ThrowsFile(() => Load(b.ToArray()), "nested deeper than");
    }

    [Fact]
    public void Load_ManyMarks_AreLimited()
    {
        var b = new List<byte> { 0x80, 2 };
        b.AddRange(Enumerable.Repeat((byte)'(', 200_000));
        b.Add((byte)'.');
        BadInput.ThrowsFile(() => Load(b.ToArray()), "nested MARKs");
    }

    [Fact]
    public void Load_StackLimit_IsEnforced()
    {
        var b = new List<byte> { 0x80, 2, (byte)'N' };
        b.AddRange(Enumerable.Repeat((byte)'2', 2000)); // DUP
        b.Add((byte)'.');
        BadInput.ThrowsFile(() => Load(b.ToArray(), limits: new PickleLimits { MaxStackSize = 1000 }), "stack exceeds 1000");
    }

    [Fact]
    public void Load_QuadraticCopying_HitsTheWorkBudget()
    {
        // A 10 000-item list, then 50 000 × (GET list, TUPLE1, builtins.list REDUCE): quadratic if unbounded.
        var b = new List<byte> { 0x80, 2, (byte)']', (byte)'q', 0, (byte)'(' };
        for (int i = 0; i < 10_000; i++) b.AddRange([(byte)'K', 1]);
        b.Add((byte)'e');
        b.AddRange("cbuiltins\nlist\nq\u0001"u8.ToArray());
        b.Add((byte)'0');
        for (int i = 0; i < 50_000; i++) b.AddRange([(byte)'h', 1, (byte)'h', 0, 0x85, (byte)'R', (byte)'0']);
        b.Add((byte)'N');
        b.Add((byte)'.');
        // Generous bound: CI hosts are noisy; an unbounded copy loop would take minutes.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        BadInput.ThrowsFile(() => Load(b.ToArray()), "work limit");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Load_PersistentIdWithoutLoader_Throws() =>
        BadInput.ThrowsFile(() => Load(PickleWriter.Dumps(new PyPersistentId("x"))), "persistent id");

    [Fact]
    public void Load_PersistentIdWithLoader_PassesTheId()
    {
        object? seen = null;
        var result = Load(PickleWriter.Dumps(new PyPersistentId(new PyTuple("storage", 1))), id => { seen = id; return "resolved"; });
        Assert.Equal("resolved", result);
        Assert.Equal(["storage", 1L], Assert.IsType<PickleTuple>(seen));
    }

    [Fact]
    public void Load_Protocol5Opcodes_AreUnderstood()
    {
        // PROTO 5, FRAME, SHORT_BINUNICODE 'a', MEMOIZE, EMPTY_SET, MEMOIZE, MARK, K1, K2, ADDITEMS, BYTEARRAY8 len 1, STACK-less tuple: TUPLE3, STOP
        byte[] frameBody = [0x8c, 1, (byte)'a', 0x94, 0x8f, 0x94, (byte)'(', (byte)'K', 1, (byte)'K', 2, 0x90, 0x96, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0x87, (byte)'.'];
        byte[] bytes = [0x80, 5, 0x95, .. BitConverter.GetBytes((ulong)frameBody.Length), .. frameBody];
        var t = Assert.IsType<PickleTuple>(Load(bytes));
        Assert.Equal("a", t[0]);
        Assert.Equal([1L, 2L], Assert.IsType<PickleSet>(t[1]).Values);
        Assert.Equal(new byte[] { 9 }, t[2]);
    }

    [Fact]
    public void Load_CyclicList_DoesNotHang()
    {
        // ] q0 h0 a .  → a list that contains itself
        var l = Assert.IsType<PickleList>(Load([0x80, 2, (byte)']', (byte)'q', 0, (byte)'h', 0, (byte)'a', (byte)'.']));
        Assert.Same(l, l[0]);
    }

    [Fact]
    public void LoadFile_ReadsPlainPickleAndRejectsEmptyFile()
    {
        using var dir = new TempDir();
        string path = dir.Write("x.pkl", PickleWriter.Dumps(new List<object?> { 1, "a" }));
        Assert.Equal([1L, "a"], Assert.IsType<PickleList>(PickleReader.LoadFile(path)));
        string empty = dir.Write("e.pkl", []);
        BadInput.ThrowsFile(() => PickleReader.LoadFile(empty), empty, "empty file");
    }
}
