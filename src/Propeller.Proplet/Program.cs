using Propeller.Core.Configuration;
using Propeller.Logging;
using Propeller.Proplet;
using Propeller.Proplet.Messaging;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Tasks;

PropletOptions options;
LogSettings logSettings;
try
{
    // The environment over config.toml's [proplet] (upstream's fallback file; `propeller-cli provision` writes it).
    var settings = Settings.FromEnvironmentAndFile("PROPLET_CONFIG_FILE", "proplet", "PROPLET_");
    options = PropletOptions.FromSettings(settings);
    logSettings = LogSettings.From(settings, "PROPLET_LOG_LEVEL", "PROPLET_LOG_FORMAT", outputIsTerminal: !Console.IsOutputRedirected);
    settings.RejectUnknownFileKeys();
}
catch (InvalidSettingException e)
{
    Console.Error.WriteLine($"propeller-proplet: {e.Message}");
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddPropellerLogging(logSettings, new Dictionary<string, object?> { ["proplet_id"] = options.ClientId });

builder.Services.AddSingleton(options);
builder.Services.AddWasmRuntime();
builder.Services.AddSingleton(new HttpClient { Timeout = TimeSpan.FromMinutes(5) });
builder.Services.AddSingleton<ModuleSource>();
builder.Services.AddSingleton<TaskRunner>();
builder.Services.AddHostedService<PropletWorker>();
builder.Services.AddPropletMetrics(options);

var host = builder.Build();
try
{
    // Choose the runtime now, so a proplet that cannot run anything says so before it announces itself.
    _ = host.Services.GetRequiredService<IWasmRuntime>();
}
catch (Propeller.Wasm.WasmEngineUnavailableException e)
{
    Console.Error.WriteLine($"propeller-proplet: PROPLET_RUNTIME=embedded: {e.Message}");
    return 1;
}
catch (Propeller.WasiNn.WasiNnException e)
{
    Console.Error.WriteLine($"propeller-proplet: {e.Message}");
    return 1;
}

await host.RunAsync();
return 0;
