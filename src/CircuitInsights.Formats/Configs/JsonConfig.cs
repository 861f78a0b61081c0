using System.Text;
using System.Text.Json;

namespace CircuitInsights.Formats;

/// <summary>
/// A JSON config file (Hugging Face <c>config.json</c>, <c>tokenizer_config.json</c>, SAELens <c>cfg.json</c> …) as a
/// <see cref="ConfigObject"/> with typed getters. The root must be an object; comments and trailing commas are
/// tolerated; nesting is limited to 256 levels; a repeated key keeps the last value (as Python's json does).
/// </summary>
public sealed class JsonConfig : ConfigObject
{
    const int MaxDepth = 256;

    JsonConfig(string file, ConfigNode root) : base(file, "", root, showLines: true) { }

    public static JsonConfig Load(string path) => Parse(ConfigFile.ReadBytes(path), path);

    public static JsonConfig Parse(string json, string file) => Parse(Encoding.UTF8.GetBytes(json), file);

    public static JsonConfig Parse(ReadOnlySpan<byte> utf8, string file)
    {
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8 = utf8[3..];
        if (!System.Text.Unicode.Utf8.IsValid(utf8)) throw new InvalidModelFileException(file, "not valid UTF-8");
        var lines = ConfigFile.LineStarts(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = MaxDepth,
        });
        try
        {
            var root = Build(ref reader, lines, file);
            if (root.Kind != ConfigValueKind.Object)
                throw new InvalidModelFileException(file, $"expected a JSON object at the top level, found {root.Describe()}");
            return new JsonConfig(file, root);
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long l ? $" (line {l + 1})" : "";
            throw new InvalidModelFileException(file, $"invalid JSON{where}: {FirstSentence(e.Message)}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidModelFileException(file, $"invalid JSON string: {FirstSentence(e.Message)}", e);
        }
    }

    static ConfigNode Build(ref Utf8JsonReader reader, int[] lines, string file)
    {
        // Iterative: containers on an explicit stack, so nesting depth never costs call-stack depth.
        var stack = new Stack<(ConfigNode Node, string? PendingKey)>();
        ConfigNode? root = null;
        string? key = null;
        while (reader.Read())
        {
            int line = ConfigFile.LineOf(lines, reader.TokenStartIndex);
            ConfigNode? value = null;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    key = reader.GetString();
                    continue;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                {
                    var node = reader.TokenType == JsonTokenType.StartObject ? ConfigNode.NewObject(line) : ConfigNode.NewList(line);
                    Attach(stack, ref root, key, node);
                    stack.Push((node, null));
                    key = null;
                    continue;
                }
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    stack.Pop();
                    continue;
                case JsonTokenType.String: value = ConfigNode.Scalar(ConfigValueKind.String, reader.GetString(), line); break;
                case JsonTokenType.Number: value = ConfigNode.Scalar(ConfigValueKind.Number, Encoding.UTF8.GetString(reader.ValueSpan), line); break;
                case JsonTokenType.True: value = ConfigNode.Scalar(ConfigValueKind.Bool, "true", line); break;
                case JsonTokenType.False: value = ConfigNode.Scalar(ConfigValueKind.Bool, "false", line); break;
                case JsonTokenType.Null: value = ConfigNode.Scalar(ConfigValueKind.Null, null, line); break;
                default: continue;
            }
            Attach(stack, ref root, key, value);
            key = null;
        }
        return root ?? throw new InvalidModelFileException(file, "empty file; expected a JSON object");
    }

    static void Attach(Stack<(ConfigNode Node, string? PendingKey)> stack, ref ConfigNode? root, string? key, ConfigNode value)
    {
        if (stack.Count == 0) { root = value; return; }
        var parent = stack.Peek().Node;
        if (parent.Kind == ConfigValueKind.Object) parent.Set(key!, value);
        else parent.Add(value);
    }

    static string FirstSentence(string message)
    {
        string m = message.ReplaceLineEndings(" ");
        int cut = m.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? m[..cut].TrimEnd() : m;
    }
}
