using Propeller.Core.Configuration;
using Propeller.Proplet;
using Propeller.Proplet.Messaging;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Tasks;

PropletOptions options;
try
{
    options = PropletOptions.FromSettings(Settings.FromEnvironment());
}
catch (InvalidSettingException e)
{
    Console.Error.WriteLine($"propeller-proplet: {e.Message}");
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders().AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss.fff ";
});
builder.Logging.SetMinimumLevel(Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("PROPLET_LOG_LEVEL"), true, out var level) ? level : LogLevel.Information);
builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

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
