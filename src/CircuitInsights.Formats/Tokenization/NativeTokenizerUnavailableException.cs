namespace CircuitInsights.Formats.Tokenization;

/// <summary>The native Hugging Face tokenizers library (package Tokenizers.DotNet.runtime.&lt;rid&gt;) could not be loaded.</summary>
public sealed class NativeTokenizerUnavailableException(string file, Exception inner)
    : CircuitInsightsException($"{file}: tokenizer.json files are encoded by the native Hugging Face tokenizers library " +
        $"(Tokenizers.DotNet.runtime.linux-x64), which could not be loaded on this platform ({inner.GetType().Name}: {inner.Message})", inner);
