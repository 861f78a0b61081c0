using System.Text;

namespace CircuitInsights.Hub.Tests;

public sealed class BlobChecksumTests
{
    static readonly byte[] Hello = Encoding.ASCII.GetBytes("hello\n");
    const string HelloGit = "ce013625030ba8dba906f756967f9e9ca394464a";                              // git hash-object
    const string HelloSha256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";   // sha256sum

    [Theory]
    [InlineData(HelloGit, "git-sha1")]
    [InlineData(HelloSha256, "sha256")]
    public void Finish_MatchesReferenceTools_WhenFedInPieces(string etag, string algorithm)
    {
        using var c = new BlobChecksum(etag, Hello.Length);
        Assert.Equal(algorithm, c.Algorithm);
        c.Append(Hello.AsSpan(0, 2));
        c.Append(Hello.AsSpan(2));
        Assert.Equal(etag, c.Finish());
    }

    [Fact]
    public void AppendFile_PrefixThenStream_EqualsWholeContent_AndResetStartsOver()
    {
        using var dir = new TempDir();
        string partial = dir.Sub("p");
        File.WriteAllBytes(partial, Hello[..4]);
        using var c = new BlobChecksum(HelloSha256, Hello.Length);
        c.Append(Encoding.ASCII.GetBytes("junk"));
        c.Reset();
        c.AppendFile(partial, 4);
        c.Append(Hello.AsSpan(4));
        Assert.Equal(HelloSha256, c.Finish());
    }

    [Fact]
    public void OtherEtags_CannotBeVerified()
    {
        using var c = new BlobChecksum("abc-123", 6);
        Assert.False(c.CanVerify);
        Assert.Null(c.Finish());
    }

    [Theory]
    [InlineData("\"abc\"", "abc")]
    [InlineData("W/\"abc\"", "abc")]
    [InlineData("abc", "abc")]
    [InlineData("\"\"", null)]
    public void NormalizeEtag_StripsWeakPrefixAndQuotes(string raw, string? expected) => Assert.Equal(expected, HubClient.NormalizeEtag(raw));
}
