using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>A manager with no proplet at all: for the API's answers to bad input and to "nobody can run this".</summary>
public sealed class ManagerOnly : IAsyncLifetime
{
    public TempDirectory Directory { get; } = new();

    public ManagerProcess Manager { get; private set; } = null!;

    public HttpClient Http => Manager.Http;

    public async Task InitializeAsync() =>
        Manager = await ManagerProcess.StartAsync(Directory, extraEnvironment: new Dictionary<string, string?> { ["MANAGER_MAX_UPLOAD_MB"] = "1" });

    public async Task DisposeAsync()
    {
        await Manager.DisposeAsync();
        Directory.Dispose();
    }
}
