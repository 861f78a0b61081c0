namespace CircuitInsights.Demo;

/// <summary>
/// Geometry of the built-in demo model: a 3-layer GPT-2-architecture model over the real GPT-2 vocabulary whose residual
/// stream (D = 96) is split into named subspaces, so planted circuits can be written down exactly:
/// <code>
///  0..39  token noise (random identity of every token) and background features
/// 40..49  token-set directions (a token of a set carries 1.5 × its direction in its embedding)
/// 50..60  what planted features write (the output features write into the token-set directions 48, 49 instead)
/// 64..66  what the previous-token heads of layer 1 write
/// 80..95  positional code: cos/sin of 8 frequencies (periods 3, 4, 5, 7, 11, 13, 17, 19)
/// </code>
/// </summary>
public static class DemoLayout
{
    public const int Layers = 3;
    public const int DModel = 96;
    public const int Heads = 4;
    public const int HeadDim = 24;
    /// <summary>Transcoder width; the MLPs have <see cref="MlpWidth"/> neurons: one per feature plus 32 the transcoders miss.</summary>
    public const int Width = 384;
    public const int MlpWidth = Width + 32;
    public const int Positions = 256;
    public const int Vocab = 50257;

    public const int NoiseDims = 40;
    public const float SetAmplitude = 1.5f;
    public const float TokenNoise = 0.35f;

    // token-set directions
    public const int Animals = 40, Weekdays = 41, Colours = 42, Numbers = 43, River = 44, Bank = 45, Prepositions = 46, Negations = 47, Cities = 48, Affirmations = 49;
    // feature write directions
    public const int AnimalOut = 50, RiverOut = 51, WeekdayOut = 52, NumberOut = 53, PrepOut = 54, NegationOut = 55,
        InheritOut = 56, BankOut = 57, PolyOut = 58, DeepAnimalOut = 59, ColourOut = 60;
    // previous-token head write directions (layer 1, heads 0..2)
    public const int AfterRiver = 64, AfterWeekday = 65, AfterNumber = 66;
    // positional code
    public const int PositionCode = 80;
    public static readonly int[] PositionPeriods = [3, 4, 5, 7, 11, 13, 17, 19];
    public const float PositionAmplitude = 0.45f;

    /// <summary>Scale of the transcoder inside the MLP: hidden = GELU(β·pre)/β ≈ ReLU(pre), so errors are small but real.</summary>
    public const float MlpSharpness = 8f;
}
