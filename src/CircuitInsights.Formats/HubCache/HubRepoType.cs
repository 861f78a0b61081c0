namespace CircuitInsights.Formats;

/// <summary>Kind of Hugging Face hub repository (huggingface_hub <c>repo_type</c>); spaces are not supported.</summary>
public enum HubRepoType
{
    Model,
    Dataset,
}

public static class HubRepoTypes
{
    /// <summary>Parses <c>model</c>/<c>dataset</c> (also the plural forms used in URLs and cache folder names).</summary>
    public static HubRepoType Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "model" or "models" => HubRepoType.Model,
        "dataset" or "datasets" => HubRepoType.Dataset,
        _ => throw new CircuitInsightsException($"repo type '{text}' is not supported (expected model or dataset)"),
    };

    /// <summary>Plural form used in cache folders (<c>models--…</c>) and API routes (<c>/api/models/…</c>).</summary>
    public static string Plural(this HubRepoType type) => type == HubRepoType.Dataset ? "datasets" : "models";

    /// <summary>Lower-case singular name (<c>model</c>, <c>dataset</c>).</summary>
    public static string Name(this HubRepoType type) => type == HubRepoType.Dataset ? "dataset" : "model";
}
