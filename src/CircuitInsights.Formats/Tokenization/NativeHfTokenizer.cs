namespace CircuitInsights.Formats.Tokenization;

/// <summary>Encoding through Hugging Face's Rust <c>tokenizers</c> library (0.22.2), wrapped by the Tokenizers.DotNet package
/// (1.4.1, native <c>libhf_tokenizers</c>). That wrapper only offers "encode with special tokens" and "decode without them", so
/// the file given to it has its post-processor removed (see <see cref="TokenizerJsonFile.WithoutPostProcessor"/>) and BOS is
/// added by the caller. Every native call is serialised through one lock: the native side keeps its tokenizers in a global table
/// that is not documented as thread-safe, and a Rust panic there would abort the process.</summary>
internal sealed class NativeHfTokenizer : IDisposable
{
    private static readonly Lock NativeLock = new();
    // Strong references keep the library's own finalizer (which calls into native code without our lock) from ever running;
    // instances leave this set only through Dispose or our finalizer, both under the lock.
    private static readonly HashSet<Tokenizers.DotNet.Tokenizer> Alive = new(ReferenceEqualityComparer.Instance);

    private Tokenizers.DotNet.Tokenizer? _native;
    private readonly string _file;

    private NativeHfTokenizer(Tokenizers.DotNet.Tokenizer native, string file) => (_native, _file) = (native, file);

    /// <summary>Loads tokenizer.json content (already validated by <see cref="TokenizerJsonFile.Parse"/>). Throws
    /// <see cref="InvalidModelFileException"/> when the library rejects the file and <see cref="NativeTokenizerUnavailableException"/>
    /// when the native library cannot be loaded on this platform.</summary>
    public static NativeHfTokenizer Load(byte[] tokenizerJson, string file)
    {
        string temp = Path.Combine(Path.GetTempPath(), $"circuitinsights-tokenizer-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllBytes(temp, tokenizerJson);
            lock (NativeLock)
            {
                var native = new Tokenizers.DotNet.Tokenizer(temp);
                Alive.Add(native);
                return new NativeHfTokenizer(native, file);
            }
        }
        catch (Tokenizers.DotNet.TokenizerException e)
        {
            throw new InvalidModelFileException(file, $"the Hugging Face tokenizers library rejected the file: {e.Message}", e);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            throw new NativeTokenizerUnavailableException(file, e);
        }
        catch (IOException e)
        {
            throw new CircuitInsightsException($"{file}: cannot write a temporary copy for the tokenizer library to {temp} ({e.Message})", e);
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Ids of <paramref name="text"/> without post-processing; added tokens in the text map to their ids. The text must
    /// not hold unpaired UTF-16 surrogates (the library refuses them; see <see cref="VocabularyTokenizer.Encode"/>).</summary>
    public int[] Encode(string text)
    {
        uint[] ids;
        lock (NativeLock)
        {
            ObjectDisposedException.ThrowIf(_native is null, this);
            try { ids = _native.Encode(text); }
            catch (Tokenizers.DotNet.TokenizerException e)
            {
                throw new CircuitInsightsException($"{_file}: the Hugging Face tokenizers library failed to encode the text: {e.Message}", e);
            }
        }
        var result = new int[ids.Length];
        for (int i = 0; i < ids.Length; i++) result[i] = checked((int)ids[i]);
        return result;
    }

    /// <summary>The library's own decoding (<c>decode(ids, skip_special_tokens=True)</c>); ids must be valid (the wrapper returns
    /// an empty string on errors).</summary>
    public string DecodeSkippingSpecialTokens(IReadOnlyList<int> ids)
    {
        var u = new uint[ids.Count];
        for (int i = 0; i < u.Length; i++) u[i] = checked((uint)ids[i]);
        lock (NativeLock)
        {
            ObjectDisposedException.ThrowIf(_native is null, this);
            try { return _native.Decode(u); }
            catch (Tokenizers.DotNet.TokenizerException e)
            {
                throw new CircuitInsightsException($"{_file}: the Hugging Face tokenizers library failed to decode the ids: {e.Message}", e);
            }
        }
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    ~NativeHfTokenizer() => Release();

    private void Release()
    {
        lock (NativeLock)
        {
            if (_native is null) return;
            Alive.Remove(_native);
            try { _native.Dispose(); }
            catch (Tokenizers.DotNet.TokenizerException) { } // nothing useful to do about a failed native clean-up
            _native = null;
        }
    }
}
