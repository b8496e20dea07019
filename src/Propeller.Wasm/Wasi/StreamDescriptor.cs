namespace Propeller.Wasm.Wasi;

/// <summary>
/// Standard input, output or error: a host <see cref="Stream"/> the embedder gave (or none: empty input,
/// discarded output). Streams are not seekable, so seek/tell/pread/pwrite fail with SPIPE as on a pipe.
/// Their file type is UNKNOWN, as wasmtime reports stdio that is not a terminal: wasi-libc's isatty says
/// no, so C's stdout is fully buffered (written when the buffer fills, on fflush and at exit), exactly as
/// when wasmtime's output goes to a pipe.
/// </summary>
internal sealed class StreamDescriptor(Stream? stream, bool isInput)
    : WasiDescriptor(isInput ? RightsSets.Stdin : RightsSets.Stdout, WasiRights.None)
{
    public override WasiFiletype Filetype => WasiFiletype.Unknown;

    public bool IsInput => isInput;

    public int Read(Span<byte> buffer) => stream == null || buffer.IsEmpty ? 0 : stream.Read(buffer);

    public void Write(ReadOnlySpan<byte> buffer) => stream?.Write(buffer);

    /// <summary>Pushes what the guest wrote to the embedder right away, so output interleaves as the guest wrote it.</summary>
    public void Flush() => stream?.Flush();
}
