namespace CircuitInsights.Formats;

/// <summary>
/// A repo, file or folder on the Hugging Face hub. Accepted spellings:
/// <list type="bullet">
/// <item><c>org/name[@revision]</c> (or a legacy single-segment id such as <c>gpt2</c>): the whole repo;</item>
/// <item><c>hf://[datasets/]org/name[@revision][/path/in/repo][?revision=rev]</c>: circuit-tracer's transcoder URIs
/// (<c>?revision=</c>) and huggingface_hub's HfFileSystem paths (<c>@revision</c>, URL-escaped; <c>datasets/</c> prefix).
/// A path ending in '/' names a folder; an empty path the whole repo.</item>
/// </list>
/// </summary>
public sealed record HubReference(string RepoId, HubRepoType RepoType, string? Revision, string PathInRepo)
{
    /// <summary>True when the reference names one file (a non-empty path not ending in '/').</summary>
    public bool IsFile => PathInRepo.Length > 0 && !PathInRepo.EndsWith('/');

    /// <summary>The folder named by a path ending in '/', without the slash; "" for the whole repo; null for a file.</summary>
    public string? Folder => IsFile ? null : PathInRepo.TrimEnd('/');

    public static bool IsHfUri(string s) => s.StartsWith("hf://", StringComparison.Ordinal);

    /// <summary>Parses an <c>hf://</c> URI or an <c>org/name[@revision]</c> id.</summary>
    public static HubReference Parse(string text, HubRepoType repoType = HubRepoType.Model) =>
        IsHfUri(text) ? ParseUri(text) : ParseRepoId(text, repoType);

    /// <summary>Parses <c>org/name[@revision]</c>.</summary>
    public static HubReference ParseRepoId(string text, HubRepoType repoType = HubRepoType.Model)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new CircuitInsightsException("hub repo id is empty");
        string id = text.Trim();
        string? revision = null;
        int at = id.IndexOf('@');
        if (at >= 0)
        {
            revision = id[(at + 1)..];
            id = id[..at];
            if (revision.Length == 0) throw new CircuitInsightsException($"'{text}': empty revision after '@'");
            HubCacheLayout.ValidateRevision(revision);
        }
        HubCacheLayout.ValidateRepoId(id);
        return new HubReference(id, repoType, revision, "");
    }

    /// <summary>Parses <c>hf://[datasets/|models/]org/name[@revision][/path][?revision=rev]</c>.</summary>
    public static HubReference ParseUri(string uri)
    {
        if (!IsHfUri(uri)) throw new CircuitInsightsException($"'{uri}' is not an hf:// URI");
        string rest = uri[5..];
        string? revision = null;
        int q = rest.IndexOf('?');
        if (q >= 0)
        {
            foreach (var kv in rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                if (kv.StartsWith("revision=", StringComparison.Ordinal)) revision = Uri.UnescapeDataString(kv[9..]);
            rest = rest[..q];
        }
        var type = HubRepoType.Model;
        if (rest.StartsWith("datasets/", StringComparison.Ordinal)) { type = HubRepoType.Dataset; rest = rest[9..]; }
        else if (rest.StartsWith("models/", StringComparison.Ordinal)) rest = rest[7..];

        var parts = rest.Split('/', 3);
        if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new CircuitInsightsException($"'{uri}': expected hf://org/name[/path][?revision=…]");
        string name = parts[1];
        int at = name.IndexOf('@');
        if (at >= 0)
        {
            string fromAt = Uri.UnescapeDataString(name[(at + 1)..]);
            if (revision is not null && revision != fromAt)
                throw new CircuitInsightsException($"'{uri}': two different revisions ('{fromAt}' and '{revision}')");
            revision = fromAt;
            name = name[..at];
        }
        string repoId = HubCacheLayout.ValidateRepoId($"{parts[0]}/{name}");
        if (revision is not null)
        {
            if (revision.Length == 0) throw new CircuitInsightsException($"'{uri}': empty revision");
            HubCacheLayout.ValidateRevision(revision);
        }
        string path = parts.Length == 3 ? parts[2] : "";
        if (path.Length > 0) HubCacheLayout.ValidatePathInRepo(path.TrimEnd('/'));
        return new HubReference(repoId, type, revision, path);
    }

    public override string ToString()
    {
        string prefix = RepoType == HubRepoType.Dataset ? "datasets/" : "";
        string rev = Revision is null ? "" : $"?revision={Uri.EscapeDataString(Revision)}";
        return $"hf://{prefix}{RepoId}{(PathInRepo.Length > 0 ? "/" + PathInRepo : "")}{rev}";
    }
}
