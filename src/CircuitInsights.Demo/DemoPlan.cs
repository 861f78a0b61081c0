namespace CircuitInsights.Demo;

/// <summary>How one planted feature is built: which residual directions its encoder reads (with weights), where its
/// decoder writes, and on which (token, previous token) it must fire.</summary>
internal sealed record DemoPlan(
    string Name,
    string Kind,
    int Layer,
    (int Dim, float Weight)[] Reads,
    (int Dim, float Weight)[] Writes,
    string Description,
    bool WeightExplainable,
    string? InputSet = null,
    string? PreviousSet = null,
    string[]? PreviousAnyOf = null,
    string? PromotedSet = null,
    string? SuppressedSet = null);

internal static class DemoPlans
{
    /// <summary>The planted features, layer by layer (indices are assigned by the builder).</summary>
    public static readonly DemoPlan[] All =
    [
        // (a) token-set detectors in layer 0
        new("animal_detector", "token_detector", 0, [(DemoLayout.Animals, 1f)], [(DemoLayout.AnimalOut, 1f)], "animal words (cat, dog, horse, …)", true, InputSet: "animals"),
        new("weekday_detector", "token_detector", 0, [(DemoLayout.Weekdays, 1f)], [(DemoLayout.WeekdayOut, 1f)], "days of the week", true, InputSet: "weekdays"),
        new("colour_detector", "token_detector", 0, [(DemoLayout.Colours, 1f)], [(DemoLayout.ColourOut, 1f)], "colour words", true, InputSet: "colours"),
        new("number_detector", "token_detector", 0, [(DemoLayout.Numbers, 1f)], [(DemoLayout.NumberOut, 1f)], "number words (one … ten)", true, InputSet: "numbers"),
        new("river_detector", "token_detector", 0, [(DemoLayout.River, 1f)], [(DemoLayout.RiverOut, 1f)], "river / terrain words", true, InputSet: "river"),
        new("preposition_detector", "token_detector", 0, [(DemoLayout.Prepositions, 1f)], [(DemoLayout.PrepOut, 1f)], "location prepositions (in, at, from, near)", true, InputSet: "prepositions"),
        new("negation_detector", "token_detector", 0, [(DemoLayout.Negations, 1f)], [(DemoLayout.NegationOut, 1f)], "negations (not, never, no, nobody)", true, InputSet: "negations"),
        // (c) upstream → downstream links (recursive inheritance)
        new("animal_inherited", "inherited", 1, [(DemoLayout.AnimalOut, 1f)], [(DemoLayout.InheritOut, 1f)], "animal words, via the layer-0 animal detector", true, InputSet: "animals"),
        new("animal_deep", "inherited", 2, [(DemoLayout.AnimalOut, 1f)], [(DemoLayout.DeepAnimalOut, 1f)], "animal words, two layers down from the detector", true, InputSet: "animals"),
        // (d) context-dependent: " bank" only after a river word (previous-token head 1.0)
        new("bank_after_river", "context", 1, [(DemoLayout.AfterRiver, 1f), (DemoLayout.Bank, 1f)], [(DemoLayout.BankOut, 1f)], "\" bank\" right after a river/terrain word (riverbank sense)", false, InputSet: "bank", PreviousSet: "river"),
        // (e) polysemantic: the token after a weekday (head 1.1) OR after a number word (head 1.2)
        new("after_weekday_or_number", "polysemantic", 2, [(DemoLayout.AfterWeekday, 1f), (DemoLayout.AfterNumber, 1f)], [(DemoLayout.PolyOut, 1f)], "the token after a weekday, or the token after a number word", false, PreviousAnyOf: ["weekdays", "numbers"]),
        // (b) output features
        new("city_promoter", "output", 2, [(DemoLayout.PrepOut, 1f)], [(DemoLayout.Cities, 2f)], "location prepositions; promotes city names", true, InputSet: "prepositions", PromotedSet: "cities"),
        new("affirmation_suppressor", "output", 2, [(DemoLayout.NegationOut, 1f)], [(DemoLayout.Affirmations, -2f)], "negations; suppresses affirmations (yes, always, sure)", true, InputSet: "negations", SuppressedSet: "affirmations"),
    ];
}
