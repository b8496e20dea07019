namespace Propeller.Wasm.Wasi;

/// <summary>
/// Guest-memory shapes WASI passes around: arrays of records, iovecs, strings. Everything is checked
/// through <see cref="GuestMemory"/> before any side effect, so a bad pointer fails the call with FAULT
/// before a byte is read from or written to a file.
/// </summary>
internal static class GuestBuffers
{
    public const uint IoVectorSize = 8;

    /// <summary>Checks that <paramref name="count"/> records of <paramref name="size"/> bytes fit at <paramref name="pointer"/>.</summary>
    public static void CheckArray(this GuestMemory memory, uint pointer, uint count, uint size)
    {
        var bytes = (ulong)count * size;
        if (bytes > uint.MaxValue)
        {
            throw new GuestMemoryOutOfBoundsException(pointer, uint.MaxValue, memory.Size);
        }

        memory.Slice(pointer, (uint)bytes);
    }

    /// <summary>Checks the iovec array and every buffer it points to.</summary>
    public static void CheckIoVectors(this GuestMemory memory, uint pointer, uint count)
    {
        memory.CheckArray(pointer, count, IoVectorSize);
        for (uint i = 0; i < count; i++)
        {
            var vector = memory.ReadIoVector(pointer, i);
            memory.Slice(vector.Pointer, vector.Length);
        }
    }

    /// <summary>The <paramref name="index"/>th iovec: { buf: u32, buf_len: u32 }.</summary>
    public static IoVector ReadIoVector(this GuestMemory memory, uint pointer, uint index)
    {
        var at = pointer + (index * IoVectorSize);
        return new IoVector(memory.ReadUInt32(at), memory.ReadUInt32(at + 4));
    }

    /// <summary>A path or other string argument (UTF-8, not NUL-terminated); invalid UTF-8 fails with ILSEQ.</summary>
    public static string ReadString(this GuestMemory memory, uint pointer, uint length) => memory.ReadUtf8(pointer, length);
}

internal readonly record struct IoVector(uint Pointer, uint Length);
