using System.Text.Json;
using System.Text.Json.Serialization;

namespace CircuitInsights.Web;

/// <summary>
/// Writes stored JSON (WeightLens records, graph files, cluster summaries) through the serializer's encoder, string by
/// string, so that HTML-sensitive characters (&lt; &gt; &amp; ' ") leave the API escaped as \u003C etc. exactly like every
/// other string — a stored token such as "&lt;script&gt;" never appears raw in a response body.
/// </summary>
public sealed class SafeJsonElementConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => JsonElement.ParseValue(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => SafeJson.Write(writer, value);
}

public static class SafeJson
{
    public static void Write(Utf8JsonWriter w, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject()) { w.WritePropertyName(p.Name); Write(w, p.Value); }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var x in e.EnumerateArray()) Write(w, x);
                w.WriteEndArray();
                break;
            case JsonValueKind.String: w.WriteStringValue(e.GetString()); break;
            case JsonValueKind.Number: w.WriteRawValue(e.GetRawText(), skipInputValidation: true); break;
            case JsonValueKind.True: w.WriteBooleanValue(true); break;
            case JsonValueKind.False: w.WriteBooleanValue(false); break;
            default: w.WriteNullValue(); break;
        }
    }

    /// <summary>Re-encodes a JSON document (e.g. an imported graph) with escaped strings.</summary>
    public static byte[] Reencode(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        using var ms = new MemoryStream(json.Length + 1024);
        using (var w = new Utf8JsonWriter(ms)) Write(w, doc.RootElement);
        return ms.ToArray();
    }
}
