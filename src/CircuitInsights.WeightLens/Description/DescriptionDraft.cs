namespace CircuitInsights.WeightLens.Description;

/// <summary>The four description fields of a record.</summary>
public sealed record DescriptionResult(string[]? Soft, string[]? Description, bool Validation, double ValidationSoft);

/// <summary>
/// The authors' generate_description (reference.md §3.4 step 6), split so that activations can be measured in batches:
/// <list type="number">
/// <item><see cref="AddOwn"/>: the feature's positive tokens whose own activation is &gt; 0 start both lists.</item>
/// <item><see cref="AddInherited"/>, once per contributing upstream feature in record order: the upstream description
/// extends the soft list; the strings that activate THIS feature extend the description.</item>
/// <item><see cref="Finish"/>: non-empty description → both lists become np.unique (sorted, unique) and
/// validation = Σ activations of the description &gt; 0; empty → description null, validation false, and the soft list
/// is kept as is (not de-duplicated, exactly as the authors' code leaves it); validation_soft = share of soft entries
/// with activation &gt; 0, or 0.0 with a null soft list when it is empty.</item>
/// </list>
/// The activations used by <see cref="Finish"/> come from a <see cref="IDescriptionValidator"/>: per token, or the
/// authors' one-sequence measurement.
/// </summary>
public sealed class DescriptionDraft
{
    readonly List<string> _soft = [];
    readonly List<string> _description = [];
    readonly Dictionary<string, float> _best = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Soft => _soft;
    public IReadOnlyList<string> Description => _description;

    /// <summary>Highest single-token activation seen for a string (per-token validation).</summary>
    public float BestActivation(string token) => _best.TryGetValue(NumpyTrim(token), out float v) ? v : 0f;

    public void AddOwn(IReadOnlyList<string> positiveTokens, IReadOnlyList<float> activations)
    {
        for (int i = 0; i < positiveTokens.Count; i++)
        {
            if (!(activations[i] > 0)) continue;
            string t = NumpyTrim(positiveTokens[i]);
            _soft.Add(t);
            _description.Add(t);
            Note(t, activations[i]);
        }
    }

    /// <summary>Adds an upstream description; <paramref name="activations"/>[i] is the activation of THIS feature on
    /// <paramref name="upstreamDescription"/>[i] (0 when it could not be measured).</summary>
    public void AddInherited(IReadOnlyList<string> upstreamDescription, IReadOnlyList<float> activations)
    {
        for (int i = 0; i < upstreamDescription.Count; i++)
        {
            _soft.Add(upstreamDescription[i]);
            string t = NumpyTrim(upstreamDescription[i]);
            Note(t, activations[i]);
            if (activations[i] > 0) _description.Add(t);
        }
    }

    /// <summary>The lists <see cref="Finish"/> will validate: (description, soft), after the np.unique step.</summary>
    public (string[]? Description, string[]? Soft) FinalLists()
    {
        if (_description.Count > 0) return (NumpyStrings.Unique(_description), NumpyStrings.Unique(_soft));
        return (null, _soft.Count > 0 ? _soft.ToArray() : null);
    }

    public DescriptionResult Finish(IDescriptionValidator validator)
    {
        var (description, soft) = FinalLists();
        bool validation = description is not null && validator.Sum(description) > 0;
        double validationSoft = soft is not null ? validator.Fraction(soft) : description is not null ? 1.0 : 0.0;
        return new DescriptionResult(soft, description, validation, validationSoft);
    }

    void Note(string token, float activation)
    {
        if (!_best.TryGetValue(token, out float v) || activation > v) _best[token] = activation;
    }

    static string NumpyTrim(string s) => s.TrimEnd('\0');
}

/// <summary>Measures a finished description: Σ activations and the share of activating entries.</summary>
public interface IDescriptionValidator
{
    /// <summary>Σ of the feature's activations over <paramref name="description"/>.</summary>
    double Sum(IReadOnlyList<string> description);

    /// <summary>Share of <paramref name="soft"/> entries on which the feature activates (0.0 when nothing was measured).</summary>
    double Fraction(IReadOnlyList<string> soft);
}

/// <summary>Per-token validation: every string counts with the single-token activation recorded in the draft.</summary>
public sealed class PerTokenValidator(DescriptionDraft draft) : IDescriptionValidator
{
    public double Sum(IReadOnlyList<string> description) => description.Sum(t => (double)draft.BestActivation(t));

    public double Fraction(IReadOnlyList<string> soft) => soft.Count == 0 ? 0.0 : (double)soft.Count(t => draft.BestActivation(t) > 0) / soft.Count;
}

/// <summary>Validation from measured activations, aligned with the lists given to <see cref="Sum"/> and <see cref="Fraction"/>
/// (the authors' one-sequence mode).</summary>
public sealed class MeasuredValidator(IReadOnlyList<float>? descriptionActivations, IReadOnlyList<float>? softActivations) : IDescriptionValidator
{
    public double Sum(IReadOnlyList<string> description)
    {
        // torch sums fp32 activations in fp32 before .item()
        float s = 0;
        foreach (float v in descriptionActivations ?? []) s += v;
        return s;
    }

    public double Fraction(IReadOnlyList<string> soft)
    {
        var acts = softActivations ?? [];
        return acts.Count == 0 ? 0.0 : (double)acts.Count(v => v > 0) / acts.Count;
    }
}
