using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// The access token huggingface_hub would use (utils/_auth.py <c>get_token</c>): <c>$HF_TOKEN</c>, else the legacy
/// <c>$HUGGING_FACE_HUB_TOKEN</c>, else the file <c>$HF_TOKEN_PATH</c> or <c>{HF_HOME}/token</c> (written by
/// <c>hf auth login</c>); surrounding whitespace is removed and an empty value means no token.
/// </summary>
public static class HubToken
{
    public static string? Resolve(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        foreach (var name in new[] { "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN" })
            if (Clean(getEnv(name)) is { } fromEnv) return fromEnv;
        string path = Clean(getEnv("HF_TOKEN_PATH")) ?? Path.Combine(HubCacheLayout.HfHome(getEnv), "token");
        try
        {
            if (!File.Exists(path)) return null;
            if (new FileInfo(path).Length > 4096) throw new InvalidModelFileException(path, "token file is larger than 4 KiB; expected one access token");
            return Clean(File.ReadAllText(path));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
