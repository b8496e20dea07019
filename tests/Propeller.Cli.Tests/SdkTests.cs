using System.Net;
using Propeller.Core.Tasks;
using Propeller.Sdk;
using Propeller.Testing;

namespace Propeller.Cli.Tests;

/// <summary><see cref="PropellerClient"/> against a real manager and proplet.</summary>
public sealed class SdkTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Create_upload_start_wait_returns_the_completed_task()
    {
        using var client = new PropellerClient(cluster.Url);
        var path = Guests.Path("greet");
        var progress = new Recorder();

        var created = await client.CreateTaskAsync(new TaskRequest { Name = "sdk", Env = new() { ["GREETING"] = "from the sdk" } });
        var uploaded = await client.UploadAsync(created.Id, path, progress);
        var started = await client.StartTaskAsync(created.Id);
        var done = await client.WaitForTaskAsync(created.Id, TimeSpan.FromMilliseconds(100));
        var results = await client.GetResultsAsync(created.Id);

        Assert.Equal(TaskState.Pending, created.State);
        Assert.Equal(new FileInfo(path).Length, uploaded.File!.Length);
        Assert.Equal(new FileInfo(path).Length, progress.Values[^1]);
        Assert.True(started.Started);
        Assert.Equal(TaskState.Completed, done.State);
        Assert.Contains("GREETING=from the sdk", done.Results!.Value.GetString(), StringComparison.Ordinal);
        Assert.Equal(done.Results.Value.GetString(), results.Results!.Value.GetString());
        Assert.Null(done.File);
        Assert.Equal(await File.ReadAllBytesAsync(path), (await client.GetTaskAsync(created.Id)).File);
    }

    [Fact]
    public async Task Upload_from_a_stream_update_list_and_delete()
    {
        using var http = new HttpClient { BaseAddress = cluster.Url };
        var client = new PropellerClient(http);
        var created = await client.CreateTaskAsync(new TaskRequest { Name = "stream" });
        await using var module = new MemoryStream(Repository.Guest("greet"));

        await client.UploadAsync(created.Id, module, "greet.wasm");
        var updated = await client.UpdateTaskAsync(created.Id, new TaskRequest { Name = "renamed" });
        var page = await client.ListTasksAsync(0, 100, TaskState.Pending);
        await client.DeleteTaskAsync(created.Id);
        var gone = await Assert.ThrowsAsync<PropellerApiException>(() => client.GetTaskAsync(created.Id));

        Assert.Equal("renamed", updated.Name);
        Assert.Contains(page.Tasks, t => t.Id == created.Id);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal($"task {created.Id} not found", gone.Message);
    }

    [Fact]
    public async Task Proplets_and_health()
    {
        using var client = new PropellerClient(cluster.Url);

        var health = await client.HealthAsync();
        var active = await client.ListPropletsAsync("active");
        var proplet = await client.GetPropletAsync(cluster.PropletId);

        Assert.Equal("pass", health.Status);
        Assert.Contains(active.Proplets, p => p.Id == cluster.PropletId);
        Assert.True(proplet.Alive);
    }

    [Fact]
    public async Task Manager_errors_carry_status_and_the_server_text()
    {
        using var client = new PropellerClient(cluster.Url);

        var badLimit = await Assert.ThrowsAsync<PropellerApiException>(() => client.ListTasksAsync(0, 1000));
        var badStatus = await Assert.ThrowsAsync<PropellerApiException>(() => client.ListPropletsAsync("sleepy"));

        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Equal("limit='1000' is not valid: expected a whole number from 1 to 100", badLimit.Message);
        Assert.Equal("status='sleepy' is not valid: use active or inactive", badStatus.Message);
    }

    [Fact]
    public async Task An_unreachable_manager_is_a_connection_exception()
    {
        var port = FreePort.Get();
        using var client = new PropellerClient(new Uri($"http://127.0.0.1:{port}"));

        var e = await Assert.ThrowsAsync<PropellerConnectionException>(() => client.HealthAsync());

        Assert.Null(e.StatusCode);
        Assert.Equal($"cannot reach the manager at http://127.0.0.1:{port}: is it running? (make run)", e.Message);
        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    [Fact]
    public async Task Waiting_is_cancellable()
    {
        using var client = new PropellerClient(cluster.Url);
        var created = await client.CreateTaskAsync(new TaskRequest { Name = "never-started" });
        using var cancel = new CancellationTokenSource();
        var waiting = client.WaitForTaskAsync(created.Id, TimeSpan.FromMilliseconds(50), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public void An_http_client_without_a_base_address_is_refused()
    {
        using var http = new HttpClient();

        var e = Assert.Throws<ArgumentException>(() => new PropellerClient(http));

        Assert.Contains("BaseAddress", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Keeps every value reported, synchronously (unlike Progress&lt;T&gt;, which posts them).</summary>
    private sealed class Recorder : IProgress<long>
    {
        public List<long> Values { get; } = [];

        public void Report(long value) => Values.Add(value);
    }
}
