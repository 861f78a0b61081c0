using System.Globalization;
using CircuitInsights.Formats;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>
/// Makes a checkpoint of several files (per-layer sketches, co-activation statistics) and <c>cache.json</c> one atomic
/// step. Each file is first written as <c>NAME.next</c>; then the marker <c>checkpoint.next</c> records the window the
/// staged set belongs to; then <c>cache.json</c> is written (the commit point); then the staged files replace the old ones
/// and the marker is removed. <see cref="Recover"/>, run before a resume reads anything, rolls an interrupted checkpoint
/// forward when <c>cache.json</c> was committed and back otherwise, so the sketches always match <c>next_window</c>.
/// </summary>
public static class CheckpointFiles
{
    const string Staged = ".next";
    public const string MarkerFile = "checkpoint.next";

    /// <summary>Where a file of the checkpoint being written goes.</summary>
    public static string StagingPath(string path) => path + Staged;

    /// <summary>Records that every staged file of the checkpoint for <paramref name="nextWindow"/> is written.</summary>
    public static void MarkStaged(string dir, long nextWindow) =>
        AtomicFile.WriteAllText(Path.Combine(dir, MarkerFile), nextWindow.ToString(CultureInfo.InvariantCulture));

    /// <summary>After cache.json was committed: moves the staged files into place and removes the marker.</summary>
    public static void Publish(string dir)
    {
        foreach (var staged in Directory.EnumerateFiles(dir, "*" + Staged).Where(f => Path.GetFileName(f) != MarkerFile).ToList())
            File.Move(staged, staged[..^Staged.Length], overwrite: true);
        File.Delete(Path.Combine(dir, MarkerFile));
    }

    /// <summary>Completes or undoes an interrupted checkpoint; <paramref name="committedNextWindow"/> is cache.json's
    /// next_window (null when there is no cache.json). Returns "forward", "back" or null when nothing was pending.</summary>
    public static string? Recover(string dir, long? committedNextWindow)
    {
        if (!Directory.Exists(dir)) return null;
        string marker = Path.Combine(dir, MarkerFile);
        long? staged = File.Exists(marker) && long.TryParse(File.ReadAllText(marker).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : null;
        var pending = Directory.EnumerateFiles(dir, "*" + Staged).Where(f => Path.GetFileName(f) != MarkerFile).ToList();
        if (staged is long s && committedNextWindow == s)
        {
            Publish(dir);
            return "forward";
        }
        if (pending.Count == 0 && !File.Exists(marker)) return null;
        foreach (var f in pending) File.Delete(f);
        File.Delete(marker);
        return "back";
    }
}
