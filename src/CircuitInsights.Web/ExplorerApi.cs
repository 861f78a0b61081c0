using CircuitInsights.Storage.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CircuitInsights.Web;

/// <summary>Request body of POST /api/prompt.</summary>
public sealed record PromptRequest(string? Text, int? TopK);

/// <summary>
/// The explorer's JSON API (docs/explorer.md "API"). Each request opens the store read-only; user errors answer 400 with
/// {"error": "…"}, unknown features/graphs 404.
/// </summary>
public static class ExplorerApi
{
    public static void Map(WebApplication app, ExplorerOptions options)
    {
        string db = options.DbPath;
        IResult Guard(Func<FeatureStore, IResult> query)
        {
            try
            {
                using var store = FeatureStore.Open(db);
                return query(store);
            }
            catch (CircuitInsightsException e) { return Results.Json(new { error = e.Message }, statusCode: 400); }
        }

        app.MapGet("/api/run", () => Guard(s => Results.Json(new
        {
            overview = s.Overview(),
            prompt_enabled = options.Prompt is not null,
            store = Path.GetFileName(db),
        })));
        app.MapGet("/api/search", (string? q, string? by, int? limit) => Guard(s =>
        {
            string mode = by ?? "auto";
            if (mode is not ("auto" or "feature" or "token" or "description")) return Results.Json(new { error = "by must be auto, feature, token or description" }, statusCode: 400);
            return Results.Json(new { query = q ?? "", hits = s.Search(q ?? "", limit ?? 50, mode) });
        }));
        app.MapGet("/api/features/{layer:int}/{index:int}", (int layer, int index) => Guard(s =>
            s.Feature(layer, index) is { } page ? Results.Json(page) : Results.Json(new { error = $"no feature L{layer}:{index} in this store" }, statusCode: 404)));
        app.MapGet("/api/features/{layer:int}/{index:int}/contexts", (int layer, int index, string? source, int? cluster, int? limit) => Guard(s =>
            Results.Json(new { layer, index, contexts = s.Contexts(layer, index, source, cluster, limit ?? 20) })));
        app.MapGet("/api/graphs", () => Guard(s => Results.Json(s.Graphs())));
        app.MapGet("/api/graphs/{id:long}", (long id) => Guard(s =>
            s.GraphJson(id) is { } json ? Results.Bytes(SafeJson.Reencode(json), "application/json; charset=utf-8") : Results.Json(new { error = $"no graph {id}" }, statusCode: 404)));
        app.MapPost("/api/prompt", async (HttpContext ctx) =>
        {
            if (options.Prompt is not { } prompt)
                return Results.Json(new { error = "the prompt box needs a model: start serve with --model and --transcoders" }, statusCode: 503);
            if (!ctx.Request.HasJsonContentType()) return Results.Json(new { error = "send application/json" }, statusCode: 415);
            PromptRequest? body;
            try { body = await ctx.Request.ReadFromJsonAsync<PromptRequest>(ExplorerServer.Json, ctx.RequestAborted); }
            catch (System.Text.Json.JsonException) { return Results.Json(new { error = "invalid JSON body" }, statusCode: 400); }
            try
            {
                using var store = FeatureStore.Open(db);
                var tokens = await prompt.AnalyzeAsync(body?.Text ?? "", body?.TopK ?? 8, store.BestDescription, ctx.RequestAborted);
                return Results.Json(new { tokens });
            }
            catch (CircuitInsightsException e) { return Results.Json(new { error = e.Message }, statusCode: 400); }
        });

        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/assets/{name}", (string name) => Asset(name));
        app.MapFallback(() => Results.NotFound());
    }

    static IResult Asset(string name) =>
        ExplorerAssets.Find(name) is { } a ? Results.Bytes(a.Bytes, a.ContentType) : Results.NotFound();
}
