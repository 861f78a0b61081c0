using System.Text;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>The parts of a SentencePiece <c>tokenizer.model</c> (protobuf <c>ModelProto</c>) that this project reads itself: the
/// pieces with their types (field 1: <c>SentencePiece{piece=1, score=2, type=3}</c>; type 1 NORMAL, 2 UNKNOWN, 3 CONTROL,
/// 4 USER_DEFINED, 5 UNUSED, 6 BYTE) and <c>normalizer_spec.add_dummy_prefix</c> (field 3 → 3, default true). Encoding itself is
/// left to Microsoft.ML.Tokenizers.</summary>
internal sealed class SentencePieceModelFile
{
    public const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6;

    public required List<(string Piece, int Type)> Pieces { get; init; }
    public required bool AddDummyPrefix { get; init; }

    public static SentencePieceModelFile Parse(byte[] data, string file)
    {
        var pieces = new List<(string, int)>();
        bool addDummyPrefix = true;
        var r = new Reader(data, 0, data.Length, file);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == 2) pieces.Add(ParsePiece(r.Sub(), pieces.Count, file));
            else if (field == 3 && wire == 2)
            {
                var n = r.Sub();
                while (!n.End)
                {
                    var (f, w) = n.Tag();
                    if (f == 3 && w == 0) addDummyPrefix = n.Varint() != 0;
                    else n.Skip(w);
                }
            }
            else r.Skip(wire);
        }
        if (pieces.Count == 0) throw new InvalidModelFileException(file, "expected a SentencePiece model (protobuf ModelProto with pieces), found no pieces");
        return new SentencePieceModelFile { Pieces = pieces, AddDummyPrefix = addDummyPrefix };
    }

    private static (string, int) ParsePiece(Reader r, int index, string file)
    {
        string? piece = null;
        int type = Normal;
        while (!r.End)
        {
            var (f, w) = r.Tag();
            if (f == 1 && w == 2) piece = r.String();
            else if (f == 3 && w == 0) type = (int)r.Varint();
            else r.Skip(w);
        }
        return (piece ?? throw new InvalidModelFileException(file, $"pieces[{index}]: expected a piece string, found none"), type);
    }

    /// <summary>Minimal protobuf reader over a byte range; any inconsistency is reported as a malformed file.</summary>
    private sealed class Reader(byte[] data, int pos, int end, string file)
    {
        private int _pos = pos;
        public bool End => _pos >= end;

        public (int Field, int Wire) Tag()
        {
            ulong tag = Varint();
            if (tag >> 3 == 0 || tag >> 3 > int.MaxValue) throw Bad("invalid field tag");
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= end) throw Bad("truncated varint");
                byte b = data[_pos++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
            throw Bad("varint longer than 10 bytes");
        }

        public Reader Sub()
        {
            ulong len = Varint();
            if (len > (ulong)(end - _pos)) throw Bad($"length {len} runs past the end of the data");
            var sub = new Reader(data, _pos, _pos + (int)len, file);
            _pos += (int)len;
            return sub;
        }

        public string String()
        {
            var sub = Sub();
            try { return new UTF8Encoding(false, true).GetString(data, sub._pos, sub.EndIndex - sub._pos); }
            catch (DecoderFallbackException) { throw Bad("piece is not valid UTF-8"); }
        }

        private int EndIndex => end;

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: Advance(8); break;
                case 2: Sub(); break;
                case 5: Advance(4); break;
                default: throw Bad($"unsupported wire type {wire}");
            }
        }

        private void Advance(int n)
        {
            if (end - _pos < n) throw Bad("truncated field");
            _pos += n;
        }

        private InvalidModelFileException Bad(string what) =>
            new(file, $"malformed SentencePiece model at byte {_pos}: {what} (expected a protobuf ModelProto)");
    }
}
