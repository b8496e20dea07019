namespace Propeller.Wasm.Wasi;

/// <summary>What one guest instance gets from its host through WASI.</summary>
public sealed class WasiOptions
{
    /// <summary>argv; argv[0] is the program name, as the guest's <c>main</c> sees it.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Environment variables, in order. Names must be non-empty and contain no '='.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>Directories the guest may use; they become descriptors 3, 4, … in this order.</summary>
    public IReadOnlyList<WasiPreopen> Preopens { get; init; } = [];

    /// <summary>Standard input; null reads as empty.</summary>
    public Stream? Stdin { get; init; }

    /// <summary>Standard output; null discards it. See <see cref="CappedOutput"/> for a bounded capture.</summary>
    public Stream? Stdout { get; init; }

    /// <summary>Standard error; null discards it.</summary>
    public Stream? Stderr { get; init; }

    /// <summary>The clocks (realtime, monotonic) and the timer for poll_oneoff sleeps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Ends poll_oneoff sleeps early: the call then throws <see cref="OperationCanceledException"/>, which stops the guest.</summary>
    public CancellationToken CancellationToken { get; init; }
}
