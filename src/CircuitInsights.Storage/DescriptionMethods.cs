namespace CircuitInsights.Storage;

/// <summary>The description methods a store accepts (docs/store.md "descriptions").</summary>
public static class DescriptionMethods
{
    public const string WeightLens = "weightlens";
    public const string CircuitLens = "circuitlens";
    public const string Combined = "wl+cl";
    public const string MaxAct = "maxact";
    public const string External = "external";

    public static IReadOnlyList<string> All { get; } = [WeightLens, CircuitLens, Combined, MaxAct, External];

    public static void Check(string method)
    {
        if (!All.Contains(method)) throw new CircuitInsightsException($"description method '{method}' is not one of {string.Join(", ", All)}");
    }
}
