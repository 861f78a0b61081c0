using CircuitInsights.CircuitLens.Cache;

namespace CircuitInsights.CircuitLens.Tests.Cache;

/// <summary>Every kill point inside a checkpoint leaves files that <see cref="CheckpointFiles.Recover"/> turns into a
/// consistent set: the old one before cache.json was committed, the new one after.</summary>
public class CheckpointFilesTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "ci-ckpt-" + Guid.NewGuid().ToString("N"));
    string P(string name) => Path.Combine(_dir, name);

    public CheckpointFilesTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(P("layer_0.safetensors"), "old0");
        File.WriteAllText(P("layer_1.safetensors"), "old1");
    }

    public void Dispose() => Directory.Delete(_dir, true);

    void Stage(bool both = true, bool marker = true)
    {
        File.WriteAllText(CheckpointFiles.StagingPath(P("layer_0.safetensors")), "new0");
        if (both) File.WriteAllText(CheckpointFiles.StagingPath(P("layer_1.safetensors")), "new1");
        if (marker) CheckpointFiles.MarkStaged(_dir, 200);
    }

    string[] Contents() => [File.ReadAllText(P("layer_0.safetensors")), File.ReadAllText(P("layer_1.safetensors"))];
    void AssertNoLeftovers() => Assert.Empty(Directory.GetFiles(_dir, "*.next"));

    [Fact]
    public void KilledWhileStaging_RollsBack()
    {
        Stage(both: false, marker: false);
        Assert.Equal("back", CheckpointFiles.Recover(_dir, committedNextWindow: 100));
        Assert.Equal(["old0", "old1"], Contents());
        AssertNoLeftovers();
    }

    [Fact]
    public void KilledBeforeTheCommit_RollsBack()
    {
        Stage();
        Assert.Equal("back", CheckpointFiles.Recover(_dir, committedNextWindow: 100));
        Assert.Equal(["old0", "old1"], Contents());
        AssertNoLeftovers();
    }

    [Fact]
    public void KilledAfterTheCommit_RollsForward_EvenHalfPublished()
    {
        Stage();
        File.Move(CheckpointFiles.StagingPath(P("layer_0.safetensors")), P("layer_0.safetensors"), overwrite: true); // publish interrupted
        Assert.Equal("forward", CheckpointFiles.Recover(_dir, committedNextWindow: 200));
        Assert.Equal(["new0", "new1"], Contents());
        AssertNoLeftovers();
    }

    [Fact]
    public void NothingPending_LeavesFilesAlone()
    {
        Assert.Null(CheckpointFiles.Recover(_dir, committedNextWindow: 100));
        Assert.Equal(["old0", "old1"], Contents());
    }
}
