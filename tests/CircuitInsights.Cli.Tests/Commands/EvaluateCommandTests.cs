namespace CircuitInsights.Cli.Tests.Commands;

public class EvaluateCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Evaluate_NoCacheNoRun_ExitOneWithHint()
    {
        var (code, _, err) = Run("evaluate", "--model", "m", "--transcoders", "t");
        Assert.Equal(1, code);
        Assert.Contains("--cache or --run DIR", err);
    }

    [Fact]
    public void Evaluate_UnknownMethod_ExitOneNamingKnownMethods()
    {
        var (code, _, err) = Run("evaluate", "--model", "m", "--transcoders", "t", "--cache", "c", "--out", "o", "--methods", "wl,bogus");
        Assert.Equal(1, code);
        Assert.Contains("unknown method 'bogus'", err);
        Assert.Contains("wl+cl", err);
    }

    [Theory]
    [InlineData("--factors", "1,x", "--factors: 'x' is not a number")]
    [InlineData("--steering", "sideways", "--steering 'sideways'")]
    [InlineData("--rated-samples", "0", "--rated-samples must be at least 1")]
    public void Evaluate_BadOption_OneLineError(string option, string value, string expected)
    {
        var (code, _, err) = Run("evaluate", "--model", "m", "--transcoders", "t", "--cache", "c", "--out", "o", option, value);
        Assert.Equal(1, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void Evaluate_MissingCache_ExitOne()
    {
        var (code, _, err) = Run("evaluate", "--model", "m", "--transcoders", "t", "--cache", Path.Combine(Path.GetTempPath(), "no-such-cache-" + Guid.NewGuid().ToString("N")), "--out", "o");
        Assert.Equal(1, code);
        Assert.Contains("not an activation cache", err);
    }

    [Fact]
    public void Help_ListsEvaluate()
    {
        var (code, stdout, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("evaluate", stdout);
    }
}
