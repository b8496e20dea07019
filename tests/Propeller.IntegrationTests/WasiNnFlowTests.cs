using System.Net.Http.Json;
using System.Text.Json;
using Propeller.Testing;
using Propeller.WasiNn.Tests;

namespace Propeller.IntegrationTests;

/// <summary>
/// The seeds' wasi-nn flow through Propeller: a task with <c>cli_args: ["-S","nn","--dir=…::fixture"]</c>
/// running the classification guest, on the host runtime (<c>propeller-wasm</c> as
/// PROPLET_EXTERNAL_WASM_RUNTIME) and embedded; the task's results carry the top-5 line, and the
/// guest's numbers equal what ONNX Runtime computes when called directly.
/// </summary>
public sealed class WasiNnFlowTests(RuntimesStack stack) : IClassFixture<RuntimesStack>
{
    public static TheoryData<string, string> OurRuntimesAndGuests => new()
    {
        { RuntimesStack.PropellerWasm, "classification-rust" },
        { RuntimesStack.PropellerWasm, "classification-c" },
        { RuntimesStack.Embedded, "classification-rust" },
        { RuntimesStack.Embedded, "classification-c" },
    };

    [Theory]
    [MemberData(nameof(OurRuntimesAndGuests))]
    public async Task The_seeds_classification_task_shows_the_top_5_in_its_results(string proplet, string guest)
    {
        var done = await TaskCalls.RunAsync(stack.Http, $$$"""
            {"name": "classification", "cli_args": ["-S", "nn", "--dir={{{Repository.WasiNnFixture}}}::fixture"], "proplet_id": "{{{proplet}}}"}
            """, Repository.WasiNnGuest(guest), "one inference of a small model");

        Assert.Equal(3, done.GetProperty("state").GetInt32());
        var results = done.GetProperty("results").GetString()!;
        Assert.StartsWith("Read graph weights, size in bytes: 578966\nLoaded graph into wasi-nn with ID: 0\nCreated wasi-nn execution context with ID: 0\n", results);
        Assert.Contains("Executed graph inference\nFound results, sorted top 5: [InferenceResult(0, ", results);
        Classification.AssertSameAsDirect(results, "tensor.bin");
    }

    [Fact]
    public async Task An_embedded_task_loads_the_proplets_preloaded_graph_by_name()
    {
        var done = await TaskCalls.RunAsync(stack.Http, $$$"""
            {"name": "classification", "cli_args": ["-S", "nn", "--dir={{{Repository.WasiNnFixture}}}::fixture"],
             "inputs": ["--graph", "fixture", "--tensor", "fixture/tensor-flipped.bin"], "proplet_id": "{{{RuntimesStack.Embedded}}}"}
            """, Repository.WasiNnGuest("classification-c"), "one inference of a preloaded model");

        Assert.Equal(3, done.GetProperty("state").GetInt32());
        var results = done.GetProperty("results").GetString()!;
        Assert.StartsWith("Loaded named graph: fixture\nLoaded graph into wasi-nn with ID: 0\n", results);
        Assert.Contains("Found results, sorted top 5: [InferenceResult(1, ", results);
        Classification.AssertSameAsDirect(results, "tensor-flipped.bin");
    }

    [Fact]
    public async Task A_wasi_nn_error_fails_the_task_with_the_hosts_explanation()
    {
        var done = await TaskCalls.RunAsync(stack.Http, $$$"""
            {"name": "classification", "cli_args": ["-S", "nn"], "inputs": ["--graph", "mobilenet"], "proplet_id": "{{{RuntimesStack.Embedded}}}"}
            """, Repository.WasiNnGuest("classification-c"), "load_by_name fails at once");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        var error = done.GetProperty("error").GetString()!;
        Assert.StartsWith("Process exited with status 1: ", error);
        Assert.Contains("wasi-nn: load_by_name: no graph named `mobilenet`; loaded: fixture (not_found)", error);
    }

    [Theory]
    [InlineData(RuntimesStack.Embedded, """["onnx"]""", """["fixture"]""")]
    [InlineData(RuntimesStack.PropellerWasm, """["onnx"]""", "[]")]
    [InlineData(RuntimesStack.Node, "[]", "[]")]
    public async Task Proplets_report_the_encodings_and_graphs_they_serve(string id, string encodings, string graphs)
    {
        var proplet = await stack.Http.GetFromJsonAsync<JsonElement>(new Uri($"/proplets/{id}", UriKind.Relative));
        var metadata = proplet.GetProperty("metadata");

        Assert.Equal(encodings, metadata.GetProperty("nn_encodings").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(graphs, metadata.GetProperty("nn_graphs").GetRawText().Replace(" ", "", StringComparison.Ordinal));
    }
}
