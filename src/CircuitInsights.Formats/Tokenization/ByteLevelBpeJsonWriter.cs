using System.Text;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>Writes a byte-level BPE model (vocab.json + merges.txt, e.g. GPT-2) as a Hugging Face <c>tokenizer.json</c> in the exact
/// layout of the file published for openai-community/gpt2 (compact JSON; added tokens; ByteLevel pre-tokenizer, post-processor
/// and decoder; BPE model with the vocabulary in id order and merges as "left right" strings). For GPT-2's files the output is
/// byte-identical to that file (1,355,256 bytes, SHA-256 8414cab9…), which the tests check.</summary>
internal static class ByteLevelBpeJsonWriter
{
    /// <param name="vocab">(piece, id) pairs, written in ascending id order.</param>
    /// <param name="merges">Merge lines "left right" in priority order (no header).</param>
    /// <param name="addedTokens">(id, content) of special tokens, e.g. (50256, "&lt;|endoftext|&gt;").</param>
    public static byte[] Write(IEnumerable<KeyValuePair<string, int>> vocab, IEnumerable<string> merges, IEnumerable<(int Id, string Content)> addedTokens)
    {
        var sb = new StringBuilder(1 << 21);
        sb.Append("{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[");
        bool first = true;
        foreach (var (id, content) in addedTokens)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append("{\"id\":").Append(id).Append(",\"special\":true,\"content\":");
            JsonFields.AppendString(sb, content);
            sb.Append(",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true}");
        }
        sb.Append("],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true},")
          .Append("\"post_processor\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false},")
          .Append("\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true},")
          .Append("\"model\":{\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":\"\",\"end_of_word_suffix\":\"\",")
          .Append("\"fuse_unk\":false,\"vocab\":{");
        first = true;
        foreach (var (piece, id) in vocab.OrderBy(kv => kv.Value))
        {
            if (!first) sb.Append(',');
            first = false;
            JsonFields.AppendString(sb, piece);
            sb.Append(':').Append(id);
        }
        sb.Append("},\"merges\":[");
        first = true;
        foreach (var m in merges)
        {
            if (!first) sb.Append(',');
            first = false;
            JsonFields.AppendString(sb, m);
        }
        sb.Append("]}}");
        return new UTF8Encoding(false).GetBytes(sb.ToString());
    }
}
