using System.CommandLine;
using CircuitInsights.Cli.Common;

namespace CircuitInsights.Cli.Commands;

/// <summary>All subcommands, in the order `--help` lists them.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> Create(CliIO io) =>
    [
        DemoCommand.Create(io),
        InspectCommand.Create(io),
        ForwardCommand.Create(io),
        GenerateCommand.Create(io),
        TranscodersCommand.Create(io),
        AttributeCommand.Create(io),
        InterveneCommand.Create(io),
        CacheCommand.Create(io),
        CacheMergeCommand.Create(io),
        MergeCommand.Create(io),
        CircuitLensCommand.Create(io),
        DescribeCommand.Create(io),
        EvaluateCommand.Create(io),
        BenchCommand.Create(io),
        DownloadCommand.Create(io),
        StoreCommand.Create(io),
        ServeCommand.Create(io),
        PlotCommand.Create(io),
        ScoreGroundTruthCommand.Create(io),
        WeightLensCommand.Create(io),
        CompareCommand.Create(io),
    ];
}
