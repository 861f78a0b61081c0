using System.CommandLine;
using CircuitInsights.CircuitLens.Cache;

namespace CircuitInsights.Cli.Common;

/// <summary><c>--samples</c>, <c>--bins</c>, <c>--alpha</c>: the context sampler's settings, for every command that finalizes a
/// cache (<c>cache</c>, <c>cache-merge</c>, <c>merge</c>); defaults are <see cref="SamplingOptions"/>'s.</summary>
public sealed class SamplingCliOptions
{
    static readonly SamplingOptions Defaults = new();

    public Option<int> Samples { get; }
    public Option<int> Bins { get; }
    public Option<double> Alpha { get; }

    /// <param name="prefix">Put before each description (e.g. "Caches only: ").</param>
    /// <param name="merging">Descriptions say to repeat what was given to <c>cache</c>.</param>
    public SamplingCliOptions(string prefix = "", bool merging = false)
    {
        string asGiven = merging ? " (as given to 'cache')" : "";
        Samples = new Option<int>("--samples") { Description = $"{prefix}Contexts sampled per feature for CircuitLens.", DefaultValueFactory = _ => Defaults.Count };
        Bins = new Option<int>("--bins") { Description = $"{prefix}Activation bins of the sampler{asGiven}.", DefaultValueFactory = _ => Defaults.Bins };
        Alpha = new Option<double>("--alpha") { Description = $"{prefix}Sampler weight exponent: weight = n_bin^-alpha{asGiven}.", DefaultValueFactory = _ => Defaults.Alpha };
    }

    public IEnumerable<Option> All => [Samples, Bins, Alpha];

    /// <summary>The settings given; <paramref name="seed"/> null keeps the default (merges use the cache's own seed).</summary>
    public SamplingOptions Read(ParseResult pr, int? seed = null) =>
        new() { Count = pr.GetValue(Samples), Bins = pr.GetValue(Bins), Alpha = pr.GetValue(Alpha), Seed = seed ?? Defaults.Seed };
}
