using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace CircuitInsights.WeightLens.PostProcessing;

/// <summary>
/// The LLM prompt of the optional concept summary (paper.md §3.1 "WeightLens+Out+LLM"; structure after the authors'
/// postprocessing.system_prompt, text our own): a system prompt (the built-in template or a user file) and a user message
/// with the three lists <c>[Important Tokens]</c>, <c>[Tokens Promoted]</c>, <c>[Tokens Suppressed]</c> written as Python
/// lists (or None); the answer's <c>[Concept: …]</c> is extracted.
/// </summary>
public sealed partial class ConceptPrompt(string systemPrompt)
{
    public string SystemPrompt { get; } = systemPrompt;

    /// <summary>The built-in template (PostProcessing/Data/concept_prompt.txt).</summary>
    public static ConceptPrompt Default { get; } = new(LoadDefault());

    /// <summary>A template read from a file.</summary>
    public static ConceptPrompt FromFile(string path)
    {
        try
        {
            string text = File.ReadAllText(path);
            if (string.IsNullOrWhiteSpace(text)) throw new CircuitInsightsException($"{path}: the prompt template is empty");
            return new ConceptPrompt(text);
        }
        catch (IOException e) { throw new CircuitInsightsException($"{path}: cannot read the prompt template ({e.Message})", e); }
    }

    public static string UserMessage(IReadOnlyList<string> important, IReadOnlyList<string> promoted, IReadOnlyList<string> suppressed) =>
        $"[Important Tokens]: {PythonList(important)}\n[Tokens Promoted]: {PythonList(promoted)}\n[Tokens Suppressed]: {PythonList(suppressed)}";

    /// <summary>The text inside <c>[Concept: …]</c>, or the whole trimmed answer when the marker is missing.</summary>
    public static string ParseConcept(string answer)
    {
        var m = ConceptPattern().Match(answer);
        return (m.Success ? m.Groups[1].Value : answer).Trim();
    }

    /// <summary>Python's repr of a list of strings (None when empty).</summary>
    public static string PythonList(IReadOnlyList<string> items)
    {
        if (items.Count == 0) return "None";
        var sb = new StringBuilder("[");
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            string s = items[i];
            char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
            sb.Append(quote);
            foreach (char c in s)
            {
                if (c == '\\') sb.Append("\\\\");
                else if (c == quote) sb.Append('\\').Append(c);
                else if (c == '\n') sb.Append("\\n");
                else if (c == '\t') sb.Append("\\t");
                else if (c == '\r') sb.Append("\\r");
                else if (c < ' ') sb.Append($"\\x{(int)c:x2}");
                else sb.Append(c);
            }
            sb.Append(quote);
        }
        return sb.Append(']').ToString();
    }

    [GeneratedRegex(@"\[Concept:\s*(.*?)\]\s*$", RegexOptions.Singleline)]
    private static partial Regex ConceptPattern();

    static string LoadDefault()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("CircuitInsights.WeightLens.PostProcessing.Data.concept_prompt.txt")
            ?? throw new InvalidOperationException("embedded concept_prompt.txt is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
