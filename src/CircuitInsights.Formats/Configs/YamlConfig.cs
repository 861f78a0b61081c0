using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CircuitInsights.Formats;

/// <summary>
/// A YAML config file (e.g. a circuit-tracer transcoder-set <c>config.yaml</c>, reference.md §1.4c) as a
/// <see cref="ConfigObject"/> with typed getters; errors carry the file and line. Plain scalars are typed as PyYAML
/// (YAML 1.1) does: <c>~</c>/<c>null</c>/empty → null, <c>true/false/yes/no/on/off</c> → bool, integers and floats
/// (incl. <c>.inf</c>, <c>.nan</c>) → number, anything else → string; quoted and block scalars are strings. Anchors
/// and aliases share one node (no expansion); only the first document is read; nesting is limited to 256 levels.
/// </summary>
public sealed partial class YamlConfig : ConfigObject
{
    const int MaxDepth = 256;

    YamlConfig(string file, ConfigNode root) : base(file, "", root, showLines: true) { }

    public static YamlConfig Load(string path) => Parse(DecodeUtf8(ConfigFile.ReadBytes(path), path), path);

    public static YamlConfig Parse(string yaml, string file)
    {
        int line = 0;
        try
        {
            var parser = new Parser(new StringReader(yaml));
            var root = Build(parser, file, ref line);
            if (root is null || root.Kind == ConfigValueKind.Null) root = ConfigNode.NewObject(1);
            if (root.Kind != ConfigValueKind.Object)
                throw new InvalidModelFileException(file, $"expected a mapping at the top level, found {root.Describe()} (line {root.Line})");
            return new YamlConfig(file, root);
        }
        catch (YamlException e)
        {
            throw new InvalidModelFileException(file, $"invalid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (Exception e) when (e is not CircuitInsightsException and not OutOfMemoryException)
        {
            // The YAML library should only throw YamlException; anything else on hostile input is still a bad file.
            throw new InvalidModelFileException(file, $"invalid YAML near line {line}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    static string DecodeUtf8(byte[] bytes, string file)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
        if (!System.Text.Unicode.Utf8.IsValid(span)) throw new InvalidModelFileException(file, "not valid UTF-8");
        return Encoding.UTF8.GetString(span);
    }

    static ConfigNode? Build(IParser parser, string file, ref int line)
    {
        var stack = new Stack<Frame>();
        var anchors = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        ConfigNode? root = null;
        bool documentSeen = false;
        while (parser.MoveNext())
        {
            var ev = parser.Current!;
            line = (int)ev.Start.Line;
            switch (ev)
            {
                case DocumentStart:
                    if (documentSeen) return root; // only the first document
                    documentSeen = true;
                    continue;
                case StreamStart or StreamEnd or DocumentEnd or Comment:
                    continue;
                case MappingStart ms:
                {
                    var node = ConfigNode.NewObject(line);
                    Attach(stack, ref root, node, file, line);
                    if (stack.Count >= MaxDepth) throw new InvalidModelFileException(file, $"YAML nested deeper than {MaxDepth} levels (line {line})");
                    stack.Push(new Frame(node, ms.Anchor.IsEmpty ? null : ms.Anchor.Value));
                    continue;
                }
                case SequenceStart ss:
                {
                    var node = ConfigNode.NewList(line);
                    Attach(stack, ref root, node, file, line);
                    if (stack.Count >= MaxDepth) throw new InvalidModelFileException(file, $"YAML nested deeper than {MaxDepth} levels (line {line})");
                    stack.Push(new Frame(node, ss.Anchor.IsEmpty ? null : ss.Anchor.Value));
                    continue;
                }
                case MappingEnd or SequenceEnd:
                {
                    var frame = stack.Pop();
                    if (frame.Node.Kind == ConfigValueKind.Object && frame.PendingKey is not null)
                        throw new InvalidModelFileException(file, $"YAML key '{frame.PendingKey}' has no value (line {line})");
                    if (frame.Anchor is not null) anchors[frame.Anchor] = frame.Node;
                    continue;
                }
                case Scalar sc:
                {
                    var node = ScalarNode(sc, line);
                    if (!sc.Anchor.IsEmpty) anchors[sc.Anchor.Value] = node;
                    Attach(stack, ref root, node, file, line);
                    continue;
                }
                case AnchorAlias alias:
                {
                    if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        throw new InvalidModelFileException(file, $"YAML alias '*{alias.Value.Value}' refers to an unknown or unfinished anchor (line {line})");
                    Attach(stack, ref root, target, file, line);
                    continue;
                }
            }
        }
        return root;
    }

    sealed class Frame(ConfigNode node, string? anchor)
    {
        public ConfigNode Node { get; } = node;
        public string? Anchor { get; } = anchor;
        public string? PendingKey { get; set; }
    }

    static void Attach(Stack<Frame> stack, ref ConfigNode? root, ConfigNode value, string file, int line)
    {
        if (stack.Count == 0)
        {
            root ??= value;
            return;
        }
        var frame = stack.Peek();
        if (frame.Node.Kind == ConfigValueKind.List)
        {
            frame.Node.Add(value);
            return;
        }
        if (frame.PendingKey is null)
        {
            if (value.Kind is ConfigValueKind.List or ConfigValueKind.Object)
                throw new InvalidModelFileException(file, $"YAML mapping keys must be scalars (line {line})");
            frame.PendingKey = value.Text ?? "null";
            return;
        }
        frame.Node.Set(frame.PendingKey, value);
        frame.PendingKey = null;
    }

    static ConfigNode ScalarNode(Scalar sc, int line)
    {
        string v = sc.Value;
        if (!sc.Tag.IsEmpty)
        {
            string tag = sc.Tag.Value;
            if (tag is "tag:yaml.org,2002:str" or "!!str") return ConfigNode.Scalar(ConfigValueKind.String, v, line);
            if (tag is "tag:yaml.org,2002:null" or "!!null") return ConfigNode.Scalar(ConfigValueKind.Null, null, line);
        }
        if (sc.Style != ScalarStyle.Plain) return ConfigNode.Scalar(ConfigValueKind.String, v, line);
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return ConfigNode.Scalar(ConfigValueKind.Null, null, line);
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                return ConfigNode.Scalar(ConfigValueKind.Bool, "true", line);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                return ConfigNode.Scalar(ConfigValueKind.Bool, "false", line);
        }
        if (NumberPattern().IsMatch(v)) return ConfigNode.Scalar(ConfigValueKind.Number, v.Replace("_", ""), line);
        return ConfigNode.Scalar(ConfigValueKind.String, v, line);
    }

    [GeneratedRegex(@"^([-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?0o[0-7_]+|[-+]?([0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*([eE][-+]?[0-9]+)|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex NumberPattern();
}
