namespace CircuitInsights.Formats.Tokenization;

/// <summary>Id ↔ piece tables of one tokenizer: the model vocabulary plus added tokens (which win for id → piece, as in Hugging
/// Face's <c>id_to_token</c>). Ids need not be contiguous; <see cref="Count"/> is max id + 1.</summary>
internal sealed class TokenVocabulary
{
    private readonly string?[] _pieces; // [V]
    private readonly bool[] _special;   // [V]
    private readonly Dictionary<string, int> _ids;

    private TokenVocabulary(string?[] pieces, bool[] special, Dictionary<string, int> ids) =>
        (_pieces, _special, _ids) = (pieces, special, ids);

    public int Count => _pieces.Length;

    /// <summary>Builds the tables. <paramref name="added"/> are (id, content, special) triples. Throws
    /// <see cref="InvalidModelFileException"/> for negative ids or ids so far beyond the number of entries that the table would be
    /// mostly empty (a corrupt file, or one that would make us allocate without bound).</summary>
    public static TokenVocabulary Build(string file, string vocabKey, IReadOnlyCollection<KeyValuePair<string, int>> model,
        IReadOnlyList<(int Id, string Content, bool Special)> added)
    {
        int maxId = -1;
        foreach (var (piece, id) in model) maxId = Math.Max(maxId, CheckId(file, vocabKey, piece, id));
        foreach (var a in added) maxId = Math.Max(maxId, CheckId(file, "added_tokens", a.Content, a.Id));
        long entries = model.Count + added.Count;
        if (maxId >= 2 * entries + 1024)
            throw new InvalidModelFileException(file, $"{vocabKey}: largest id is {maxId} but there are only {entries} entries; expected ids " +
                "numbered from 0 without large gaps");

        var pieces = new string?[maxId + 1];
        var special = new bool[maxId + 1];
        var ids = new Dictionary<string, int>(model.Count + added.Count, StringComparer.Ordinal);
        foreach (var (piece, id) in model)
        {
            pieces[id] ??= piece;
            ids.TryAdd(piece, id);
        }
        foreach (var (id, content, isSpecial) in added)
        {
            pieces[id] = content;
            special[id] |= isSpecial;
            ids[content] = id;
        }
        return new TokenVocabulary(pieces, special, ids);
    }

    private static int CheckId(string file, string key, string piece, int id) =>
        id >= 0 ? id : throw new InvalidModelFileException(file, $"{key}: piece \"{piece}\" has id {id}, expected a non-negative id");

    /// <summary>The piece for <paramref name="id"/>; throws <see cref="CircuitInsightsException"/> for ids outside [0, Count) or
    /// ids without an entry.</summary>
    public string Piece(int id)
    {
        if ((uint)id >= (uint)_pieces.Length)
            throw new CircuitInsightsException($"token id {id} is outside the vocabulary [0, {_pieces.Length})");
        return _pieces[id] ?? throw new CircuitInsightsException($"token id {id} has no vocabulary entry (gap in the tokenizer's ids)");
    }

    public bool IsSpecial(int id) => (uint)id < (uint)_special.Length && _special[id];

    public int? Id(string piece) => _ids.TryGetValue(piece, out int id) ? id : null;

    public bool Contains(int id) => (uint)id < (uint)_pieces.Length && _pieces[id] is not null;

    /// <summary>Ids flagged special (added tokens with <c>special: true</c>), ascending.</summary>
    public IEnumerable<int> SpecialIds()
    {
        for (int i = 0; i < _special.Length; i++) if (_special[i]) yield return i;
    }
}
