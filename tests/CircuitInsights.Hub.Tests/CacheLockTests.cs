using System.Diagnostics;

namespace CircuitInsights.Hub.Tests;

public sealed class CacheLockTests
{
    [Fact]
    public async Task Acquire_WhileAnotherProcessHoldsFlock_WaitsThenTimesOut()
    {
        // Python's filelock (huggingface_hub) takes flock(LOCK_EX) on the .lock file; so does util-linux flock(1).
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        string lockPath = dir.Sub(".locks", "models--o--m", "abc.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", lockPath, "-c", "echo locked; sleep 30"]) { RedirectStandardOutput = true })!;
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync(ct));
            var e = await Assert.ThrowsAsync<HubException>(() => CacheLock.AcquireAsync(lockPath, TimeSpan.FromMilliseconds(300), ct));
            Assert.Contains("another process", e.Message);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync(ct);
        }
        using var acquired = await CacheLock.AcquireAsync(lockPath, TimeSpan.FromSeconds(5), ct);
        // and while we hold it, flock -n in another process fails (exit 1)
        using var probe = Process.Start(new ProcessStartInfo("flock", ["-n", lockPath, "-c", "true"]))!;
        await probe.WaitForExitAsync(ct);
        Assert.Equal(1, probe.ExitCode);
    }
}
