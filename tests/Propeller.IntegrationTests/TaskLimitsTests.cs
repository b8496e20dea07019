using System.Net;
using System.Text;
using System.Text.Json;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// The limits a task runs under, through a real manager and proplets: the proplet's memory cap on the
/// host runtime as on the embedded one, and module sizes from the upload to the proplet (a module the
/// manager accepts fits in the MQTT start message that carries it).
/// </summary>
public sealed class TaskLimitsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task PROPLET_MAX_MEMORY_MB_caps_guests_on_the_host_runtime_as_on_the_embedded_one()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        var capped = new Dictionary<string, string?> { ["PROPLET_MAX_MEMORY_MB"] = "1" };
        await using var host = await PropletProcess.StartForAsync(manager, Repository.Executable("propeller-wasm"), "proplet-host", extraEnvironment: new Dictionary<string, string?>(capped) { ["PROPLET_RUNTIME"] = "host" });
        await using var embedded = await PropletProcess.StartForAsync(manager, null, "proplet-embedded", extraEnvironment: new Dictionary<string, string?>(capped) { ["PROPLET_RUNTIME"] = "embedded" });

        foreach (var proplet in new[] { "proplet-host", "proplet-embedded" })
        {
            // One page to start with: 4 more stay under 1 MiB (grow answers the old size), 32 more do not (-1).
            Assert.Equal("1", await GrowAsync(manager, proplet, 4));
            Assert.Equal("-1", await GrowAsync(manager, proplet, 32));
        }
    }

    [Fact]
    public async Task A_module_whose_base64_outgrows_64_MiB_still_reaches_the_proplet_and_runs()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        // Heartbeats at the default interval: on a busy machine, moving and decoding 67 MiB can take longer than the 3 s of 1 s heartbeats.
        await using var proplet = await PropletProcess.StartForAsync(manager, null, "proplet-big", extraEnvironment: new Dictionary<string, string?> { ["PROPLET_RUNTIME"] = "embedded", ["PROPLET_LIVELINESS_INTERVAL"] = "10s" });
        // 50 MiB: under MANAGER_MAX_UPLOAD_MB's 64, but 67 MiB as base64, more than MQTT packets were allowed before.
        var module = Padded(Repository.Guest("greet"), 50 * 1024 * 1024);

        var done = await TaskCalls.RunAsync(manager.Http, """{"name": "big", "inputs": ["large"]}""", module, "greet ends at once");

        Assert.True(done.GetProperty("state").GetInt32() == 3, $"{done}\nManager log:\n{manager.Process.Log}");
        Assert.StartsWith("Hello from a WebAssembly guest\narg[1]=large\n", done.GetProperty("results").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_sent_inline_is_held_to_the_upload_limit()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory, extraEnvironment: new Dictionary<string, string?> { ["MANAGER_MAX_UPLOAD_MB"] = "1" });
        // 1.25 MiB: its base64 fits in the 2 MiB body a 1 MiB limit allows, so only the module's own size can refuse it.
        var module = Padded(Repository.Guest("greet"), 1280 * 1024);
        var body = JsonSerializer.Serialize(new { name = "inline", file = Convert.ToBase64String(module) });

        var (status, error) = await TaskCalls.ErrorOf(manager.Http.PostAsync(new Uri("/tasks", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal($"file is {module.Length} bytes; this manager accepts modules of at most 1048576 bytes (MANAGER_MAX_UPLOAD_MB)", error);
    }

    private static async Task<string?> GrowAsync(ManagerProcess manager, string proplet, int pages)
    {
        var done = await TaskCalls.RunAsync(
            manager.Http,
            JsonSerializer.Serialize(new { name = "grow", cli_args = new[] { "--invoke", "grow" }, inputs = new[] { pages }, proplet_id = proplet }),
            Repository.Guest("grow"),
            "grow returns at once");
        Assert.True(done.GetProperty("state").GetInt32() == 3, done.ToString());
        var results = done.GetProperty("results");
        // The embedded runtime answers an invoked function's results as JSON ([-1]); propeller-wasm prints them (-1).
        return results.ValueKind == JsonValueKind.Array ? results[0].GetRawText() : results.GetString()!.Trim();
    }

    /// <summary><paramref name="module"/> with a custom section that brings it to about <paramref name="size"/> bytes: as large, still valid.</summary>
    private static byte[] Padded(byte[] module, int size)
    {
        using var padded = new MemoryStream();
        padded.Write(module);
        var name = "padding"u8;
        var content = size - module.Length - 16;
        padded.WriteByte(0); // custom section
        WriteLeb128(padded, (uint)(1 + name.Length + content));
        padded.WriteByte((byte)name.Length);
        padded.Write(name);
        padded.Write(new byte[content]);
        return padded.ToArray();
    }

    private static void WriteLeb128(Stream stream, uint value)
    {
        do
        {
            var low = (byte)(value & 0x7f);
            value >>= 7;
            stream.WriteByte(value == 0 ? low : (byte)(low | 0x80));
        }
        while (value != 0);
    }
}
