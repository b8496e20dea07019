namespace Propeller.Wasm.Tests.Tools;

/// <summary>
/// Assembles a module byte by byte, for what no tool here can produce: malformed modules, and encodings
/// newer than the installed wabt (typed function references, try_table).
/// </summary>
internal static class ModuleBytes
{
    public static readonly byte[] Preamble = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    public static byte[] Module(params byte[][] sections) => [.. Preamble, .. sections.SelectMany(s => s)];

    public static byte[] Section(byte id, params byte[][] content)
    {
        var payload = content.SelectMany(c => c).ToArray();
        return [id, .. Leb(checked((uint)payload.Length)), .. payload];
    }

    /// <summary>A vector: its count, then its elements.</summary>
    public static byte[] Vector(params byte[][] elements) => [.. Leb((uint)elements.Length), .. elements.SelectMany(e => e)];

    /// <summary>A function body: its size, no locals, the instructions and <c>end</c>.</summary>
    public static byte[] Body(params byte[] instructions)
    {
        byte[] content = [0x00, .. instructions, 0x0B];
        return [.. Leb((uint)content.Length), .. content];
    }

    public static byte[] Name(string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        return [.. Leb((uint)bytes.Length), .. bytes];
    }

    public static byte[] Leb(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. bytes];
    }

    /// <summary>A module with one function type <c>[] -> []</c> and one function with <paramref name="instructions"/>.</summary>
    public static byte[] OneFunction(params byte[] instructions) => Module(
        Section(1, Vector([0x60, 0x00, 0x00])),
        Section(3, Vector([0x00])),
        Section(10, Vector(Body(instructions))));
}
