using Propeller.Testing;

namespace Propeller.Wasm.Tests.Tools;

/// <summary>Real guests compiled from source once per test run: C through clang (wasi-libc) and Rust with std.</summary>
internal static class Guests
{
    private static readonly Lazy<byte[]> GreetGuest = new(() => Toolchain.CompileC(File.ReadAllText(Path.Combine(Repository.Root, "tests", "guests", "greet.c"))));
    private static readonly Lazy<byte[]> ComputeGuest = new(() => CompileC("compute.c"));
    private static readonly Lazy<byte[]> SpinGuest = new(() => CompileC("spin.c"));
    private static readonly Lazy<byte[]> AllocateGuest = new(() => CompileC("allocate.c"));
    private static readonly Lazy<byte[]> RustGuest = new(() => Toolchain.CompileRust(File.ReadAllText(Path.Combine(Toolchain.ModulesDirectory, "guest.rs"))));

    /// <summary>The repository's tests/guests/greet.c.</summary>
    public static byte[] Greet => GreetGuest.Value;

    /// <summary>Modules/compute.c: prints the primes below its argument and their sum.</summary>
    public static byte[] Compute => ComputeGuest.Value;

    /// <summary>Modules/spin.c: prints "spinning", then loops forever.</summary>
    public static byte[] Spin => SpinGuest.Value;

    /// <summary>Modules/allocate.c: allocates up to 32 MiB in 1 MiB blocks and prints how many it got.</summary>
    public static byte[] Allocate => AllocateGuest.Value;

    /// <summary>Modules/guest.rs: a Rust std program printing a sum over its argument.</summary>
    public static byte[] Rust => RustGuest.Value;

    private static byte[] CompileC(string file) => Toolchain.CompileC(File.ReadAllText(Path.Combine(Toolchain.ModulesDirectory, file)));
}
