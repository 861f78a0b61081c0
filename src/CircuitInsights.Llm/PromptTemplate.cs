using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace CircuitInsights.Llm;

/// <summary>
/// A versioned prompt kept as a text file (usually an embedded resource). Format:
/// <code>
/// name: fade.rate
/// version: 1
/// [system]
/// text … {{concept}} …
/// [user]
/// text … {{samples}} …
/// </code>
/// Header lines <c>key: value</c> come first (name and version required); each <c>[role]</c> line starts a message of that
/// role (system, user, assistant), running to the next role line. Placeholders are <c>{{name}}</c> (letters, digits, _ . -);
/// everything else, single braces included, is literal. Rendering fails when a placeholder has no value or a value names
/// no placeholder, so a template and its caller cannot drift apart silently.
/// </summary>
public sealed partial class PromptTemplate
{
    [GeneratedRegex(@"\{\{([A-Za-z0-9_.\-]+)\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\[(system|user|assistant)\]\s*$")]
    private static partial Regex RoleLine();

    public string Name { get; }
    public int Version { get; }
    /// <summary>"name@version": the cache's template key.</summary>
    public string Id => $"{Name}@{Version}";
    public IReadOnlyList<ChatMessage> Messages { get; }
    /// <summary>Names of all placeholders, sorted.</summary>
    public IReadOnlyList<string> Placeholders { get; }

    PromptTemplate(string name, int version, IReadOnlyList<ChatMessage> messages)
    {
        Name = name; Version = version; Messages = messages;
        Placeholders = messages.SelectMany(m => Placeholder().Matches(m.Content).Select(x => x.Groups[1].Value)).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Parses template text; <paramref name="source"/> names it in errors.</summary>
    public static PromptTemplate Parse(string text, string source)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        for (; i < lines.Length && !RoleLine().IsMatch(lines[i]); i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]) || lines[i].StartsWith('#')) continue;
            int colon = lines[i].IndexOf(':');
            if (colon <= 0) throw new CircuitInsightsException($"{source}: line {i + 1}: expected 'key: value' or a [role] line, found '{lines[i]}'");
            header[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }
        if (!header.TryGetValue("name", out var name) || name.Length == 0) throw new CircuitInsightsException($"{source}: missing 'name:' header");
        if (!header.TryGetValue("version", out var v) || !int.TryParse(v, out int version) || version < 1)
            throw new CircuitInsightsException($"{source}: 'version:' header must be a positive integer");
        var messages = new List<ChatMessage>();
        string? role = null;
        var body = new StringBuilder();
        void Flush()
        {
            if (role is not null) messages.Add(new ChatMessage(role, body.ToString().Trim('\n')));
            body.Clear();
        }
        for (; i < lines.Length; i++)
        {
            var m = RoleLine().Match(lines[i]);
            if (m.Success) { Flush(); role = m.Groups[1].Value; continue; }
            body.Append(lines[i]).Append('\n');
        }
        Flush();
        if (messages.Count == 0) throw new CircuitInsightsException($"{source}: no [system]/[user] message");
        return new PromptTemplate(name, version, messages);
    }

    /// <summary>Loads an embedded resource of <paramref name="assembly"/> whose name ends with <paramref name="fileName"/>.</summary>
    public static PromptTemplate FromResource(Assembly assembly, string fileName)
    {
        var names = assembly.GetManifestResourceNames().Where(n => n.EndsWith("." + fileName, StringComparison.Ordinal) || n == fileName).ToArray();
        if (names.Length != 1) throw new InvalidOperationException($"{assembly.GetName().Name}: expected one embedded prompt '{fileName}', found {names.Length}");
        using var s = assembly.GetManifestResourceStream(names[0])!;
        using var r = new StreamReader(s, Encoding.UTF8);
        return Parse(r.ReadToEnd(), names[0]);
    }

    /// <summary>The messages with every placeholder replaced.</summary>
    public IReadOnlyList<ChatMessage> Render(IReadOnlyDictionary<string, string> values)
    {
        foreach (var k in values.Keys)
            if (!Placeholders.Contains(k)) throw new ArgumentException($"prompt {Id}: no placeholder {{{{{k}}}}}");
        return Messages.Select(m => m with
        {
            Content = Placeholder().Replace(m.Content, x => values.TryGetValue(x.Groups[1].Value, out var v) ? v
                : throw new ArgumentException($"prompt {Id}: no value for {{{{{x.Groups[1].Value}}}}}")),
        }).ToArray();
    }

    /// <summary>A request for the rendered messages, tagged with this template's id.</summary>
    public ChatRequest Request(IReadOnlyDictionary<string, string> values, double temperature = 0, int sample = 0, int? maxTokens = null) =>
        new() { Messages = Render(values), Temperature = temperature, TemplateVersion = Id, Sample = sample, MaxTokens = maxTokens };
}
