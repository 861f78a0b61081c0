using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>The <c>decoder</c> of a Hugging Face tokenizer.json, re-implemented: a chain of steps over the list of token strings,
/// whose outputs are finally concatenated. Supported steps (semantics of the Rust <c>tokenizers</c> crate): <c>ByteLevel</c>
/// (pieces → bytes through <see cref="ByteLevelAlphabet"/>, then lossy UTF-8), <c>Replace</c> (per token; String or Regex
/// pattern), <c>ByteFallback</c> (runs of <c>&lt;0xXX&gt;</c> pieces → their bytes as UTF-8, or one U+FFFD per byte when the run is
/// not valid UTF-8), <c>Fuse</c>, <c>Strip</c>, <c>Metaspace</c>, <c>WordPiece</c>, <c>BPEDecoder</c> and <c>Sequence</c>. No decoder
/// (null) joins the tokens with spaces, as the crate does.</summary>
internal sealed class TokenDecoder
{
    private readonly Step[] _steps;
    private readonly bool _joinWithSpaces;

    private TokenDecoder(Step[] steps, bool joinWithSpaces) => (_steps, _joinWithSpaces) = (steps, joinWithSpaces);

    /// <summary>The GPT-2 decoder (<c>ByteLevel</c>).</summary>
    public static TokenDecoder ByteLevel { get; } = new([new ByteLevelStep()], joinWithSpaces: false);

    /// <summary>SentencePiece's decoding: <c>▁</c> → space, byte pieces → UTF-8, concatenation, and (when the model adds a dummy
    /// prefix) one leading space removed — the Hugging Face decoder of Llama-2-style tokenizers.</summary>
    public static TokenDecoder SentencePiece(bool stripDummyPrefix) =>
        new(stripDummyPrefix ? [new ReplaceStep("▁", null, " "), new ByteFallbackStep(), new FuseStep(), new StripStep(' ', 1, 0)]
                             : [new ReplaceStep("▁", null, " "), new ByteFallbackStep(), new FuseStep()], joinWithSpaces: false);

    /// <summary>Decodes token strings. <paramref name="singleToken"/> renders one token "on its own, mid-text": steps that only
    /// remove a sentence-initial space (<c>Strip</c>, the first-token rule of <c>Metaspace</c>) are skipped, so <c>▁the</c> gives
    /// " the" rather than "the".</summary>
    public string Decode(IReadOnlyList<string> tokens, bool singleToken)
    {
        if (_joinWithSpaces) return string.Join(' ', tokens);
        var list = new List<string>(tokens);
        foreach (var step in _steps) list = step.Apply(list, singleToken);
        return string.Concat(list);
    }

    /// <summary>Builds the decoder from the tokenizer.json <c>decoder</c> node (null or JSON null → join with spaces).</summary>
    public static TokenDecoder Parse(JsonElement? node, string file)
    {
        if (node is null || node.Value.ValueKind == JsonValueKind.Null) return new TokenDecoder([], joinWithSpaces: true);
        var steps = new List<Step>();
        AddSteps(node.Value, file, "decoder", steps);
        return new TokenDecoder(steps.ToArray(), joinWithSpaces: false);
    }

    private static void AddSteps(JsonElement node, string file, string key, List<Step> steps)
    {
        string type = JsonFields.RequiredString(node, "type", file, key);
        switch (type)
        {
            case "Sequence":
                int i = 0;
                foreach (var child in JsonFields.RequiredArray(node, "decoders", file, key).EnumerateArray())
                    AddSteps(child, file, $"{key}.decoders[{i++}]", steps);
                break;
            case "ByteLevel": steps.Add(new ByteLevelStep()); break;
            case "ByteFallback": steps.Add(new ByteFallbackStep()); break;
            case "Fuse": steps.Add(new FuseStep()); break;
            case "Replace": steps.Add(ReplaceStep.Parse(node, file, key)); break;
            case "Strip":
                steps.Add(new StripStep(SingleChar(JsonFields.RequiredString(node, "content", file, key), file, key + ".content"),
                    JsonFields.OptionalInt(node, "start", file, key) ?? 0, JsonFields.OptionalInt(node, "stop", file, key) ?? 0));
                break;
            case "Metaspace":
                string replacement = JsonFields.OptionalString(node, "replacement", file, key) ?? "▁";
                string scheme = JsonFields.OptionalString(node, "prepend_scheme", file, key)
                    ?? (JsonFields.OptionalBool(node, "add_prefix_space", file, key) == false ? "never" : "always");
                steps.Add(new MetaspaceStep(SingleChar(replacement, file, key + ".replacement"), scheme != "never"));
                break;
            case "WordPiece":
                steps.Add(new WordPieceStep(JsonFields.OptionalString(node, "prefix", file, key) ?? "##",
                    JsonFields.OptionalBool(node, "cleanup", file, key) ?? true));
                break;
            case "BPEDecoder": steps.Add(new BpeSuffixStep(JsonFields.OptionalString(node, "suffix", file, key) ?? "</w>")); break;
            default:
                throw new InvalidModelFileException(file, $"{key}.type: decoder '{type}' is not supported (expected ByteLevel, Replace, " +
                    "ByteFallback, Fuse, Strip, Metaspace, WordPiece, BPEDecoder or Sequence)");
        }
    }

    private static char SingleChar(string s, string file, string key) =>
        s.Length == 1 ? s[0] : throw new InvalidModelFileException(file, $"{key}: expected a single character, found \"{s}\"");

    private abstract class Step
    {
        public abstract List<string> Apply(List<string> tokens, bool singleToken);
    }

    private sealed class ByteLevelStep : Step
    {
        public override List<string> Apply(List<string> tokens, bool singleToken)
        {
            var bytes = new List<byte>();
            foreach (var t in tokens) ByteLevelAlphabet.AppendBytes(t, bytes);
            return [Encoding.UTF8.GetString(bytes.ToArray())];
        }
    }

    private sealed class ByteFallbackStep : Step
    {
        public override List<string> Apply(List<string> tokens, bool singleToken)
        {
            var result = new List<string>(tokens.Count);
            var run = new List<byte>();
            foreach (var t in tokens)
            {
                if (TryParseByte(t, out byte b)) { run.Add(b); continue; }
                Flush(run, result);
                result.Add(t);
            }
            Flush(run, result);
            return result;
        }

        private static void Flush(List<byte> run, List<string> result)
        {
            if (run.Count == 0) return;
            try { result.Add(StrictUtf8.GetString(run.ToArray())); }
            catch (DecoderFallbackException) { for (int i = 0; i < run.Count; i++) result.Add("\uFFFD"); }
            run.Clear();
        }

        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    }

    /// <summary>True for a byte-fallback piece <c>&lt;0xXX&gt;</c> (exactly six characters, two hex digits).</summary>
    public static bool TryParseByte(string piece, out byte value)
    {
        value = 0;
        return piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private sealed class FuseStep : Step
    {
        public override List<string> Apply(List<string> tokens, bool singleToken) => [string.Concat(tokens)];
    }

    private sealed class ReplaceStep(string? literal, Regex? regex, string content) : Step
    {
        public static ReplaceStep Parse(JsonElement node, string file, string key)
        {
            string content = JsonFields.RequiredString(node, "content", file, key);
            var pattern = JsonFields.RequiredObject(node, "pattern", file, key);
            if (pattern.TryGetProperty("String", out var s) && s.ValueKind == JsonValueKind.String)
                return new ReplaceStep(s.GetString()!, null, content);
            if (pattern.TryGetProperty("Regex", out var r) && r.ValueKind == JsonValueKind.String)
            {
                try { return new ReplaceStep(null, new Regex(r.GetString()!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), content); }
                catch (ArgumentException e) { throw new InvalidModelFileException(file, $"{key}.pattern.Regex: invalid regular expression ({e.Message})"); }
            }
            throw new InvalidModelFileException(file, $"{key}.pattern: expected {{\"String\": ...}} or {{\"Regex\": ...}}");
        }

        public override List<string> Apply(List<string> tokens, bool singleToken) =>
            tokens.ConvertAll(t => regex is null ? (literal!.Length == 0 ? t : t.Replace(literal, content, StringComparison.Ordinal))
                                                 : regex.Replace(t, content));
    }

    private sealed class StripStep(char content, int start, int stop) : Step
    {
        public override List<string> Apply(List<string> tokens, bool singleToken)
        {
            if (singleToken) return tokens;
            return tokens.ConvertAll(t =>
            {
                int from = 0, to = t.Length;
                while (from < Math.Min(start, t.Length) && t[from] == content) from++;
                while (t.Length - to < stop && to > from && t[to - 1] == content) to--;
                return t[from..to];
            });
        }
    }

    private sealed class MetaspaceStep(char replacement, bool dropOnFirstToken) : Step
    {
        public override List<string> Apply(List<string> tokens, bool singleToken)
        {
            var result = new List<string>(tokens.Count);
            for (int i = 0; i < tokens.Count; i++)
            {
                // The crate drops every replacement character of the first token when a prefix is prepended.
                bool drop = i == 0 && dropOnFirstToken && !singleToken;
                result.Add(drop ? tokens[i].Replace(replacement.ToString(), "", StringComparison.Ordinal) : tokens[i].Replace(replacement, ' '));
            }
            return result;
        }
    }

    private sealed class WordPieceStep(string prefix, bool cleanup) : Step
    {
        public override List<string> Apply(List<string> tokens, bool singleToken)
        {
            var result = new List<string>(tokens.Count);
            for (int i = 0; i < tokens.Count; i++)
            {
                string t = tokens[i];
                if (i != 0) t = t.StartsWith(prefix, StringComparison.Ordinal) ? t[prefix.Length..] : " " + t;
                if (cleanup)
                    t = t.Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
                         .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" do not", " don't").Replace(" 's", "'s")
                         .Replace(" 've", "'ve").Replace(" 're", "'re");
                result.Add(t);
            }
            return result;
        }
    }

    private sealed class BpeSuffixStep(string suffix) : Step
    {
        public override List<string> Apply(List<string> tokens, bool singleToken)
        {
            var result = new List<string>(tokens.Count);
            for (int i = 0; i < tokens.Count; i++)
                result.Add(tokens[i].Replace(suffix, i == tokens.Count - 1 ? "" : " ", StringComparison.Ordinal));
            return result;
        }
    }
}
