using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Propeller.Testing.Fuzzing;

/// <summary>
/// The one FsCheck configuration every fuzz property uses: a fixed number of inputs per property, a seed
/// printed with every result (set <see cref="SeedVariable"/> to replay a failure), and a count of the inputs
/// really tried. Inputs are not shrunk: each one costs real requests to real processes, and a failure
/// prints the whole input (the generators' records summarise big ones).
/// </summary>
public static class FuzzRunner
{
    /// <summary>Replays a run: the seed a failure (or a passing run) printed.</summary>
    public const string SeedVariable = "PROPELLER_FUZZ_SEED";

    /// <summary>Multiplies every property's input count, for a longer run by hand (default 1).</summary>
    public const string ScaleVariable = "PROPELLER_FUZZ_SCALE";

    // Any odd constant works as SplitMix's gamma; fixing it makes the seed alone enough to replay.
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    public static ulong Seed { get; } = ReadSeed();

    public static int Scale { get; } = ReadScale();

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="count"/> (× <see cref="Scale"/>) generated inputs; it fails by
    /// throwing. Returns how many inputs were tried and writes that to <paramref name="log"/>.
    /// </summary>
    public static int Check<T>(string property, Gen<T> inputs, int count, Action<T> body, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(log);
        var tried = 0;
        var checkedProperty = Prop.ForAll(Arb.From(inputs), (T input) =>
        {
            Interlocked.Increment(ref tried);
            try
            {
                body(input);
            }
            catch (Exception e)
            {
                // FsCheck prints the input its own way, cut short; this names it as the test's records describe themselves.
                throw new FuzzPropertyException($"input {tried}: {input}\n{e.GetType().Name}: {e.Message}", e);
            }
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(count * Scale)
            .WithQuietOnSuccess(true)
            .WithName(property)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed, Gamma), FSharpOption<int>.None)));
        try
        {
            FsCheck.Check.One(config, checkedProperty);
        }
        catch (Exception e)
        {
            throw new FuzzPropertyException($"{property} failed on input {tried}; replay with {SeedVariable}={Seed}\n{e.Message}", e);
        }

        log($"fuzz: {property}: {tried} inputs tried ({SeedVariable}={Seed})");
        return tried;
    }

    /// <summary><see cref="Check{T}"/> for properties that talk to processes; runs off the test's thread.</summary>
    public static Task<int> CheckAsync<T>(string property, Gen<T> inputs, int count, Func<T, Task> body, Action<string> log) =>
        Task.Run(() => Check(property, inputs, count, input => body(input).GetAwaiter().GetResult(), log));

    private static ulong ReadSeed()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (ulong)System.Random.Shared.NextInt64(1, long.MaxValue);
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new InvalidOperationException($"{SeedVariable}='{text}' is not a seed: use the number a fuzz run printed");
    }

    private static int ReadScale()
    {
        var text = Environment.GetEnvironmentVariable(ScaleVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return 1;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var scale) && scale is >= 1 and <= 1000
            ? scale
            : throw new InvalidOperationException($"{ScaleVariable}='{text}' is not valid: use a whole number from 1 to 1000");
    }
}

/// <summary>A fuzz property found an input it does not hold for; the message has the input and the seed.</summary>
public sealed class FuzzPropertyException(string message, Exception inner) : Exception(message, inner);
