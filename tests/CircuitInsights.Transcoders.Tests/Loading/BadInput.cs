namespace CircuitInsights.Transcoders.Tests.Loading;

/// <summary>Asserts the bad-input contract: a CircuitInsightsException with one line naming what is wrong.</summary>
internal static class BadInput
{
    public static string AssertOneLine(Action act, params string[] fragments)
    {
        var e = Assert.ThrowsAny<CircuitInsightsException>(act);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message, StringComparison.OrdinalIgnoreCase);
        return e.Message;
    }

    public static string AssertOneLine(Func<object?> act, params string[] fragments) => AssertOneLine(() => { DisposeIfNeeded(act()); }, fragments);

    static void DisposeIfNeeded(object? o) => (o as IDisposable)?.Dispose();
}
