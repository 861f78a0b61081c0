using System.CommandLine;
using CircuitInsights.Cli.Common;
using CircuitInsights.Web;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>serve</c>: the local web explorer over a feature store (docs/explorer.md).</summary>
public static class ServeCommand
{
    public static Command Create(CliIO io)
    {
        var run = new Option<string>("--run") { Description = "Feature store (.sqlite) or a run folder holding one.", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind (default 127.0.0.1). Any non-loopback address must be given here explicitly: the explorer has no authentication.", DefaultValueFactory = _ => BindingPolicy.DefaultHost };
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port).", DefaultValueFactory = _ => 5080 };
        var model = new Option<string?>("--model", "-m") { Description = "Model for the prompt box (with --transcoders)." };
        var transcoders = new Option<string?>("--transcoders", "-t") { Description = "Transcoder set for the prompt box (with --model)." };
        var format = TranscoderOptions.Format();
        var cmd = new Command("serve", "Serve the local explorer: run overview, feature search and pages, contexts, histograms, graphs, prompt box.");
        foreach (var o in new Option[] { run, host, port, model, transcoders, format }) cmd.Options.Add(o);
        cmd.SetAction(async (pr, cancel) =>
        {
            string db = ResolveStore(pr.GetValue(run)!);
            bool hostExplicit = pr.GetResult(host) is { Implicit: false };
            string? modelPath = pr.GetValue(model), tcPath = pr.GetValue(transcoders);
            if ((modelPath is null) != (tcPath is null)) throw new CircuitInsightsException("the prompt box needs both --model and --transcoders");
            BindingPolicy.Resolve(pr.GetValue(host), hostExplicit); // refuse before loading a model
            using var loaded = modelPath is null ? null : ModelOptions.Load(modelPath, io);
            using var set = tcPath is null ? null : TranscoderOptions.Load(tcPath, pr.GetValue(format), io);
            var options = new ExplorerOptions
            {
                DbPath = db, Host = pr.GetValue(host), HostExplicit = hostExplicit, Port = pr.GetValue(port),
                Prompt = loaded is not null && set is not null ? new PromptAnalyzer(loaded, set) : null,
            };
            await using var server = await ExplorerServer.StartAsync(options, cancel);
            if (hostExplicit && !System.Net.IPAddress.IsLoopback(BindingPolicy.Resolve(options.Host, true)))
                io.Note($"warning: listening on {options.Host}, reachable from other machines; the explorer has no authentication");
            io.Out.WriteLine($"explorer for {db} at {server.Url} (Ctrl+C to stop)");
            io.Out.Flush();
            try { await server.WaitAsync(cancel); }
            catch (OperationCanceledException) { }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>A .sqlite file, or the one store in a run folder (store.sqlite / run.sqlite preferred).</summary>
    public static string ResolveStore(string path)
    {
        if (File.Exists(path)) return path;
        if (!Directory.Exists(path)) throw new CircuitInsightsException($"--run {path}: no such store file or run folder");
        foreach (var name in new[] { "store.sqlite", "run.sqlite" })
            if (File.Exists(Path.Combine(path, name))) return Path.Combine(path, name);
        var all = Directory.GetFiles(path, "*.sqlite");
        return all.Length == 1 ? all[0] : throw new CircuitInsightsException(all.Length == 0
            ? $"--run {path}: the folder holds no .sqlite store (create one with 'circuit-insights store import --db {Path.Combine(path, "store.sqlite")} …')"
            : $"--run {path}: the folder holds {all.Length} .sqlite files; name one");
    }
}
