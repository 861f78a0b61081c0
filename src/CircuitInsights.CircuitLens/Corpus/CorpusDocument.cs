namespace CircuitInsights.CircuitLens.Corpus;

/// <summary>One document of a corpus: its text and a stable id (file name, line or row number) for provenance.</summary>
public sealed record CorpusDocument(string Id, string Text);
