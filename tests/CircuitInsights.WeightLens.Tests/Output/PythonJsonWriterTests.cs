using CircuitInsights.WeightLens.Output;

namespace CircuitInsights.WeightLens.Tests.Output;

public class PythonJsonWriterTests
{
    [Fact]
    public void Writer_SameBytesAsPythonJsonDumpIndent2()
    {
        // Data/python_json_dump.txt = json.dumps(obj, indent=2) from CPython 3.11
        var sw = new StringWriter();
        var w = new PythonJsonWriter(sw);
        w.BeginArray();
        w.BeginObject();
        w.Key("feature"); w.BeginObject(); w.Property("layer", 0); w.Property("feature_idx", 3); w.EndObject();
        w.Property("toks", ["é\n\t\"\\", "😀", "\u007f\u0001", "plain"]);
        w.Property("empty", Array.Empty<string>());
        w.Key("emptyobj"); w.BeginObject(); w.EndObject();
        w.Property("nums", new[] { 0.1, 1e-05, 1e16, 77.0, -0.0, 3.0000001192092896, 123456789.125 });
        w.Property("b", true);
        w.Key("n"); w.Null();
        w.Key("nested"); w.BeginArray(); w.BeginArray(); w.Value(1); w.Value(2); w.EndArray(); w.BeginArray(); w.EndArray(); w.EndArray();
        w.EndObject();
        w.EndArray();
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "python_json_dump.txt")), sw.ToString());
    }

    [Theory]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void FloatRepr_MatchesPythonRepr(double value, string expected) => Assert.Equal(expected, PythonJsonWriter.FloatRepr(value));

    [Fact]
    public void FloatRepr_Fp32Images_MatchPythonTolist()
    {
        // torch's tolist() turns fp32 into fp64; repr shows the fp64 digits
        Assert.Equal("0.10000000149011612", PythonJsonWriter.FloatRepr(0.1f));
        Assert.Equal("77.0", PythonJsonWriter.FloatRepr(77f));
    }
}
