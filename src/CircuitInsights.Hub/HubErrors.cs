using System.Net.Http.Headers;
using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// One-line errors for hub responses, classified like huggingface_hub's <c>hf_raise_for_status</c>: the
/// <c>X-Error-Code</c> header (GatedRepo, RepoNotFound, RevisionNotFound, EntryNotFound) first, then the status.
/// </summary>
internal static class HubErrors
{
    public static HubException FromResponse(HttpResponseMessage response, Uri endpoint, string repoId, HubRepoType type, string revision, string? path, bool tokenSent)
    {
        int status = (int)response.StatusCode;
        string? code = Header(response.Headers, "X-Error-Code");
        string? serverMessage = Header(response.Headers, "X-Error-Message");
        string repoUrl = new Uri(endpoint, (type == HubRepoType.Dataset ? "datasets/" : "") + repoId).ToString();
        string what = $"{type.Name()} repo {repoId}";
        string tokenNote = tokenSent ? " (the token that was sent has no access to it)" : " (no token was sent)";

        if (code == "GatedRepo" || (status is 401 or 403 && code != "RepoNotFound" && code != "RevisionNotFound" && code != "EntryNotFound"))
            return new HubException(HubErrorKind.Gated, code == "GatedRepo" || status == 403
                ? $"repo {repoId} is gated: accept its licence on {repoUrl} and set HF_TOKEN{tokenNote}"
                : $"repo {repoId} is gated or private (HTTP 401): accept its licence on {repoUrl} and set HF_TOKEN{tokenNote}");
        if (code == "RevisionNotFound")
            return new HubException(HubErrorKind.NotFound, $"revision '{revision}' not found in {what}");
        if (code == "EntryNotFound")
            return new HubException(HubErrorKind.NotFound, $"file '{path}' not found in {what} at revision '{revision}'");
        if (code == "RepoNotFound")
            return new HubException(HubErrorKind.NotFound, $"{what} not found{(status == 401 ? " (if it is private or gated, set HF_TOKEN)" : "")}{TypeHint(type)}");
        if (status == 404)
            return new HubException(HubErrorKind.NotFound, path is null
                ? $"{what} or its revision '{revision}' not found{TypeHint(type)}"
                : $"file '{path}' not found in {what} at revision '{revision}' (or the repo/revision does not exist)");
        return new HubException(status >= 500 || status == 429 ? HubErrorKind.Network : HubErrorKind.Protocol,
            $"HTTP {status} from {HubHttp.Show(response.RequestMessage?.RequestUri ?? endpoint)} for {what}{(serverMessage is null ? "" : ": " + OneLine(serverMessage))}");
    }

    static string TypeHint(HubRepoType type) => type == HubRepoType.Model ? " (for a dataset use repo type dataset)" : "";

    static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    static string OneLine(string s) => s.Length > 300 ? s[..300].ReplaceLineEndings(" ") + "…" : s.ReplaceLineEndings(" ");
}
