using System.CommandLine;

namespace CircuitInsights.Cli.Common;

public static class GlobalOptions
{
    public static readonly Option<int?> Threads = new("--threads") { Description = "Worker threads for the kernels (default: all cores).", Recursive = true };
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print stack traces with errors.", Recursive = true };
}
