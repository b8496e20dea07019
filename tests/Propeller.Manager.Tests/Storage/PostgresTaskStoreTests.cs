using Npgsql;
using Propeller.Manager.Storage;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Storage;

/// <summary>One private PostgreSQL server for all the PostgreSQL store tests (starting one takes seconds).</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>The task store contract against a real PostgreSQL server, each test in a database of its own.</summary>
public sealed class PostgresTaskStoreTests(PostgresClusterFixture fixture) : TaskStoreContract, IClassFixture<PostgresClusterFixture>
{
    private string? _connectionString;

    protected override ITaskStore CreateStore() =>
        new PostgresTaskStore(_connectionString ?? throw new InvalidOperationException("the test database has not been created"));

    public override async Task InitializeAsync() => _connectionString = await fixture.Cluster.CreateDatabaseAsync();

    [Fact]
    public async Task A_postgres_url_reaches_the_server()
    {
        var database = new NpgsqlConnectionStringBuilder(_connectionString);
        var url = $"postgres://{database.Username}@{database.Host}:{database.Port}/{database.Database}?sslmode=disable";
        await using var store = new PostgresTaskStore(PostgresConnectionString.Parse(url));
        await store.InitializeAsync(CancellationToken.None);
        var task = FullTask();
        await store.AddAsync(task, CancellationToken.None);

        // The same rows as through the keyword connection string the other tests use.
        var read = await (await OpenAsync()).GetAsync(task.Id, CancellationToken.None);
        Assert.Equal(task.Name, read?.Name);
    }
}
