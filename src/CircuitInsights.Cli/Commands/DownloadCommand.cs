using System.CommandLine;
using CircuitInsights.Cli.Common;
using CircuitInsights.Formats;
using CircuitInsights.Hub;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>download REPO</c>: fetch a Hugging Face repo (or the files matching <c>--include</c>) into the shared hub cache,
/// like <c>hf download</c>, and print the local snapshot folder (or, for an <c>hf://</c> URI naming one file, the file).
/// </summary>
public static class DownloadCommand
{
    public static Command Create(CliIO io)
    {
        var repo = new Argument<string>("repo") { Description = "org/name[@revision], or hf://[datasets/]org/name[/path][?revision=…] (a file, a folder ending in '/', or the repo)." };
        var revision = new Option<string?>("--revision") { Description = "Branch, tag or commit (default: main, or the @revision of REPO)." };
        var include = new Option<string[]>("--include") { Description = "Only files matching these glob patterns (fnmatch: '*' also crosses '/'; 'dir/' means the folder).", AllowMultipleArgumentsPerToken = true };
        var repoType = new Option<string>("--repo-type") { Description = "model or dataset.", DefaultValueFactory = _ => "model" };
        repoType.AcceptOnlyFromAmong("model", "dataset");
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Hub cache folder (default: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)." };
        var endpoint = new Option<string?>("--endpoint") { Description = "Hub URL (default: $HF_ENDPOINT, else https://huggingface.co)." };
        var cmd = new Command("download", "Download a Hugging Face model or dataset repo into the hub cache (shared with Python tools) and print its local path.");
        cmd.Arguments.Add(repo);
        foreach (var o in new Option[] { revision, include, repoType, cacheDir, endpoint }) cmd.Options.Add(o);
        cmd.SetAction(pr => Run(pr.GetValue(repo)!, pr.GetValue(revision), pr.GetValue(include), HubRepoTypes.Parse(pr.GetValue(repoType)!),
            pr.GetValue(cacheDir), pr.GetValue(endpoint), io));
        return cmd;
    }

    static int Run(string repoText, string? revision, string[]? include, HubRepoType repoType, string? cacheDir, string? endpoint, CliIO io)
    {
        var reference = HubReference.Parse(repoText, repoType);
        if (HubReference.IsHfUri(repoText) && reference.RepoType != repoType && repoType == HubRepoType.Dataset)
            throw new CircuitInsightsException($"'{repoText}': use hf://datasets/org/name for datasets (or drop --repo-type)");
        if (revision is not null && reference.Revision is not null && revision != reference.Revision)
            throw new CircuitInsightsException($"two revisions given: '{reference.Revision}' in {repoText} and --revision {revision}");
        string? rev = revision ?? reference.Revision;
        if (rev is not null) HubCacheLayout.ValidateRevision(rev);

        var patterns = new List<string>(include ?? []);
        if (reference.IsFile && patterns.Count > 0) throw new CircuitInsightsException($"'{repoText}' names one file; --include does not apply");
        if (!reference.IsFile && reference.Folder is { Length: > 0 } folder)
            patterns = patterns.Count == 0 ? [folder + "/"] : patterns.Select(p => $"{folder}/{p}").ToList();
        foreach (var p in patterns) RepoFilePatterns.ToRegex(p);

        var options = CliHub.Options(cacheDir, endpoint);
        using var client = new HubClient(options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string path;
        int files;
        long bytes;
        using (var view = new DownloadProgressView(io))
        {
            path = reference.IsFile
                ? client.DownloadFile(reference.RepoId, reference.PathInRepo, rev, reference.RepoType, view)
                : client.SnapshotDownload(reference.RepoId, rev, patterns.Count == 0 ? null : patterns, reference.RepoType, view);
            files = view.Files;
            bytes = view.Bytes;
        }
        io.Note(files == 0
            ? $"{reference.RepoId}: everything requested was already in {options.CacheDir}"
            : $"{reference.RepoId}: downloaded {files} file(s), {DownloadProgressView.FormatBytes(bytes)} in {clock.Elapsed.TotalSeconds:F1} s into {options.CacheDir}");
        io.Out.WriteLine(path);
        return ExitCodes.Ok;
    }
}
