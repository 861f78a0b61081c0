namespace CircuitInsights.Hub;

/// <summary>Why a hub operation failed (the message is the one line to show; the kind is for callers and tests).</summary>
public enum HubErrorKind
{
    /// <summary>401/403: gated or private repo without a token, or a token without access.</summary>
    Gated,
    /// <summary>404: repo, revision or file does not exist.</summary>
    NotFound,
    /// <summary>HF_HUB_OFFLINE (or the Offline option) is set and the cache lacks what was asked for.</summary>
    Offline,
    /// <summary>Connection failures, timeouts or server errors that persisted through the retries.</summary>
    Network,
    /// <summary>The downloaded bytes do not match the ETag's checksum or the announced size, twice.</summary>
    Integrity,
    /// <summary>The server answered something a hub would not (missing commit header, bad JSON, …).</summary>
    Protocol,
}
