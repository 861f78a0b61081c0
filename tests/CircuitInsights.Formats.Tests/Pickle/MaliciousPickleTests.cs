using CircuitInsights.Testing;

namespace CircuitInsights.Formats.Tests;

/// <summary>
/// Pickles whose <c>__reduce__</c> would run a command under Python's pickle. Loading them must execute nothing: the
/// marker file is never created and the callables come back as inert records.
/// </summary>
public sealed class MaliciousPickleTests
{
    const string FixtureMarker = "/tmp/circuitinsights-pickle-marker-must-not-exist";

    [Theory]
    [InlineData("malicious_os_system.pkl", "posix.system")]
    [InlineData("malicious_eval.pkl", "builtins.eval")]
    [InlineData("malicious_exec.pkl", "builtins.exec")]
    [InlineData("malicious_popen.pkl", "subprocess.Popen")]
    public void Load_PythonWrittenMaliciousPickle_IsInertRecord(string file, string global)
    {
        File.Delete(FixtureMarker);
        var bytes = File.ReadAllBytes(Fixtures.Path(file));
        var root = Assert.IsType<PickleDict>(PickleReader.Load(bytes, file, "pickle", null, null, out var foreign));
        var payload = Assert.IsType<PickledObject>(root["payload"]);
        Assert.Equal(global, payload.FullName);
        var strings = payload.Args.OfType<string>().Concat(payload.Args.OfType<PickleList>().SelectMany(l => l.OfType<string>()));
        Assert.Contains(strings, s => s.Contains(FixtureMarker));
        Assert.Contains(global, foreign);
        Assert.False(File.Exists(FixtureMarker));
    }

    [Fact]
    public void Open_MaliciousTorchCheckpoint_LoadsTensorsAndRunsNothing()
    {
        File.Delete(FixtureMarker);
        using var ckpt = TorchCheckpoint.Open(Fixtures.Path("malicious.pt"));
        Assert.Equal([1f, 2f], ckpt.Load("state_dict.w").F32.ToArray());
        Assert.Equal("posix.system", Assert.IsType<PickledObject>(ckpt.GetValue("payload")).FullName);
        Assert.Contains("builtins.exec", ckpt.ForeignGlobals);
        Assert.Contains("subprocess.Popen", ckpt.ForeignGlobals);
        Assert.False(File.Exists(FixtureMarker));
    }

    [Theory]
    [InlineData("posix", "system")]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("builtins", "exec")]
    [InlineData("__builtin__", "eval")]
    [InlineData("subprocess", "Popen")]
    [InlineData("subprocess", "check_call")]
    [InlineData("builtins", "getattr")]
    public void Load_CSharpCraftedCommandPickle_CreatesNoFile(string module, string name)
    {
        using var dir = new TempDir();
        string marker = dir.File("pwned");
        object? arg = name is "Popen" or "check_call" ? new List<object?> { "touch", marker } : $"touch {marker}";
        if (name is "eval" or "exec") arg = $"__import__('os').system('touch {marker}')";
        // REDUCE, then NEWOBJ and BUILD on the result, then a second REDUCE calling the result: all must stay inert.
        var call = new PyReduce(new PyGlobal(module, name), new PyTuple(arg), State: new Dictionary<string, object?> { ["x"] = 1 });
        var root = new List<object?> { call, new PyReduce(call, new PyTuple("again")), new PyNewObj(new PyGlobal(module, name), new PyTuple(arg)) };
        var result = Assert.IsType<PickleList>(PickleReader.Load(PickleWriter.Dumps(root), "evil.pkl"));
        Assert.IsType<PickledObject>(result[0]);
        Assert.IsType<PickledObject>(result[1]);
        Assert.IsType<PickledObject>(result[2]);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Load_InstAndObjOpcodes_StayInert()
    {
        using var dir = new TempDir();
        string marker = dir.File("pwned");
        // protocol 0: (S'touch …'\nios\nsystem\n.   and   (cposix\nsystem\nS'touch …'\no.
        var inst = System.Text.Encoding.Latin1.GetBytes($"(S'touch {marker}'\nios\nsystem\n.");
        var obj = System.Text.Encoding.Latin1.GetBytes($"(cposix\nsystem\nS'touch {marker}'\no.");
        Assert.Equal("os.system", Assert.IsType<PickledObject>(PickleReader.Load(inst, "i.pkl")).FullName);
        Assert.Equal("posix.system", Assert.IsType<PickledObject>(PickleReader.Load(obj, "o.pkl")).FullName);
        Assert.False(File.Exists(marker));
    }
}
