using Propeller.Core.Configuration;
using Propeller.Logging;
using Propeller.Manager;
using Propeller.Manager.Api;
using Propeller.Manager.Security;
using Propeller.Manager.Storage;

ManagerOptions options;
LogSettings logSettings;
try
{
    // The environment over config.toml's [manager] (upstream's fallback file; `propeller-cli provision` writes it).
    var settings = Settings.FromEnvironmentAndFile("MANAGER_CONFIG_FILE", "manager", "MANAGER_");
    options = ManagerOptions.FromSettings(settings);
    logSettings = LogSettings.From(settings, "MANAGER_LOG_LEVEL", "MANAGER_LOG_FORMAT", outputIsTerminal: !Console.IsOutputRedirected);
    settings.RejectUnknownFileKeys();
}
catch (InvalidSettingException e)
{
    Console.Error.WriteLine($"propeller-manager: {e.Message}");
    return 2;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseUrls($"http://{options.HttpHost}:{options.HttpPort}");
builder.Logging.AddPropellerLogging(logSettings);
builder.AddManagerServices(options);

var app = builder.Build();
try
{
    await app.Services.GetRequiredService<ITaskStore>().InitializeAsync(CancellationToken.None);
    await app.Services.GetRequiredService<CredentialRegistry>().LoadAsync(CancellationToken.None);
}
catch (Exception e) when (e is System.Data.Common.DbException or FormatException)
{
    var where = options.StorageType == "postgres" ? "the PostgreSQL server of MANAGER_POSTGRES_URL" : $"the SQLite file {options.SqlitePath} (MANAGER_SQLITE_PATH)";
    Console.Error.WriteLine($"propeller-manager: cannot open the task store, {where}: {e.Message}");
    return 1;
}

app.UsePropellerErrors();
app.UseApiKeys(options);
app.MapTasksApi();
app.MapPropletsApi();
app.MapHealthApi();
app.MapCredentialsApi();
app.MapOpenApi();
app.MapMetricsApi();
app.MapUnmatchedRequests();

try
{
    await app.RunAsync();
    return 0;
}
catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"propeller-manager: cannot listen on {options.HttpHost}:{options.HttpPort}: {e.Message} (set MANAGER_HTTP_PORT to a free port)");
    return 1;
}
