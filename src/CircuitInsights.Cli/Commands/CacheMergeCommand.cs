using System.CommandLine;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli.Common;
using CircuitInsights.Formats.Tokenization;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>cache-merge</c>: combine the caches of corpus shards into one and finalize it.</summary>
public static class CacheMergeCommand
{
    public static Command Create(CliIO io)
    {
        var shards = new Argument<string[]>("shards") { Description = "Shard cache folders (from cache --shard i/n).", Arity = ArgumentArity.OneOrMore };
        var model = ModelOptions.Model();
        var output = new Option<string>("--out", "-o") { Description = "Merged cache folder.", Required = true };
        var samples = new Option<int>("--samples") { DefaultValueFactory = _ => 100, Description = "Contexts sampled per feature." };
        var bins = new Option<int>("--bins") { DefaultValueFactory = _ => 20, Description = "Activation bins of the sampler (as given to 'cache')." };
        var alpha = new Option<double>("--alpha") { DefaultValueFactory = _ => 0.9, Description = "Sampler weight exponent (as given to 'cache')." };
        var cmd = new Command("cache-merge", "Merge activation caches of corpus shards (exactly equal to a single run) and sample contexts.");
        cmd.Arguments.Add(shards);
        cmd.Options.Add(model); cmd.Options.Add(output); cmd.Options.Add(samples); cmd.Options.Add(bins); cmd.Options.Add(alpha);
        cmd.SetAction(pr =>
        {
            MergeCommand.MergeCaches(pr.GetValue(shards)!, pr.GetValue(output)!, pr.GetValue(model)!, pr.GetValue(samples), pr.GetValue(bins), pr.GetValue(alpha), io);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
