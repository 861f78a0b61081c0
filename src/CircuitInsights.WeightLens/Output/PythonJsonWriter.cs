using System.Globalization;
using System.Text;

namespace CircuitInsights.WeightLens.Output;

/// <summary>
/// Writes JSON exactly as Python's <c>json.dump(obj, f, indent=2)</c> does (ensure_ascii on): two-space indentation,
/// <c>","</c> item and <c>": "</c> key separators, <c>[]</c>/<c>{}</c> for empty containers, non-ASCII and control
/// characters as lowercase <c>\uXXXX</c> escapes, floats as <c>repr(float)</c> (shortest round-trip digits, exponent
/// form below 1e-4 and from 1e16), <c>NaN</c>/<c>Infinity</c> literals. No trailing newline. So our
/// <c>feature_analysis_layer_{L}.json</c> files are formatted like the authors' files.
/// </summary>
public sealed class PythonJsonWriter(TextWriter writer)
{
    readonly Stack<(bool IsObject, bool Empty)> _stack = new();
    bool _afterKey;

    public void BeginObject() => Open('{', isObject: true);
    public void EndObject() => Close('}');
    public void BeginArray() => Open('[', isObject: false);
    public void EndArray() => Close(']');

    public void Key(string name)
    {
        BeforeValue();
        WriteString(writer, name);
        writer.Write(": ");
        _afterKey = true;
    }

    public void Value(string? s)
    {
        BeforeValue();
        if (s is null) writer.Write("null");
        else WriteString(writer, s);
    }

    public void Value(long n)
    {
        BeforeValue();
        writer.Write(n.ToString(CultureInfo.InvariantCulture));
    }

    public void Value(double x)
    {
        BeforeValue();
        writer.Write(FloatRepr(x));
    }

    public void Value(bool b)
    {
        BeforeValue();
        writer.Write(b ? "true" : "false");
    }

    public void Null()
    {
        BeforeValue();
        writer.Write("null");
    }

    public void Property(string name, string? value) { Key(name); Value(value); }
    public void Property(string name, long value) { Key(name); Value(value); }
    public void Property(string name, double value) { Key(name); Value(value); }
    public void Property(string name, bool value) { Key(name); Value(value); }

    public void Property(string name, IEnumerable<string>? values)
    {
        Key(name);
        if (values is null) { Null(); return; }
        BeginArray();
        foreach (var v in values) Value(v);
        EndArray();
    }

    public void Property(string name, IEnumerable<int> values)
    {
        Key(name);
        BeginArray();
        foreach (var v in values) Value(v);
        EndArray();
    }

    public void Property(string name, IEnumerable<double> values)
    {
        Key(name);
        BeginArray();
        foreach (var v in values) Value(v);
        EndArray();
    }

    void Open(char bracket, bool isObject)
    {
        BeforeValue();
        writer.Write(bracket);
        _stack.Push((isObject, true));
    }

    void Close(char bracket)
    {
        var (_, empty) = _stack.Pop();
        if (!empty) NewLine(_stack.Count);
        writer.Write(bracket);
    }

    void BeforeValue()
    {
        if (_afterKey) { _afterKey = false; return; }
        if (_stack.Count == 0) return;
        var (isObject, empty) = _stack.Pop();
        if (!empty) writer.Write(',');
        _stack.Push((isObject, false));
        NewLine(_stack.Count);
    }

    void NewLine(int level)
    {
        writer.Write('\n');
        for (int i = 0; i < level; i++) writer.Write("  ");
    }

    /// <summary>Python's <c>json.encoder.py_encode_basestring_ascii</c>.</summary>
    public static void WriteString(TextWriter w, string s)
    {
        w.Write('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': w.Write("\\\\"); break;
                case '"': w.Write("\\\""); break;
                case '\b': w.Write("\\b"); break;
                case '\f': w.Write("\\f"); break;
                case '\n': w.Write("\\n"); break;
                case '\r': w.Write("\\r"); break;
                case '\t': w.Write("\\t"); break;
                default:
                    if (c >= ' ' && c <= '~') w.Write(c);
                    else { w.Write("\\u"); w.Write(((int)c).ToString("x4", CultureInfo.InvariantCulture)); }
                    break;
            }
        }
        w.Write('"');
    }

    /// <summary>Python's <c>float.__repr__</c> (and json's NaN/Infinity spellings).</summary>
    public static string FloatRepr(double x)
    {
        if (double.IsNaN(x)) return "NaN";
        if (double.IsPositiveInfinity(x)) return "Infinity";
        if (double.IsNegativeInfinity(x)) return "-Infinity";
        if (x == 0) return double.IsNegative(x) ? "-0.0" : "0.0";
        string r = Math.Abs(x).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        string mantissa = e >= 0 ? r[..e] : r;
        int exp10 = e >= 0 ? int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        int dot = mantissa.IndexOf('.');
        string intPart = dot >= 0 ? mantissa[..dot] : mantissa, frac = dot >= 0 ? mantissa[(dot + 1)..] : "";
        string all = intPart + frac;
        string trimmed = all.TrimStart('0');
        int decpt = intPart.Length + exp10 - (all.Length - trimmed.Length); // value = 0.DIGITS × 10^decpt
        string digits = trimmed.TrimEnd('0');
        var sb = new StringBuilder(24);
        if (x < 0) sb.Append('-');
        if (decpt > -4 && decpt <= 16)
        {
            if (decpt <= 0) sb.Append("0.").Append('0', -decpt).Append(digits);
            else if (decpt >= digits.Length) sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
            else sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            int exp = decpt - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
