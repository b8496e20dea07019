using Propeller.Wasm;
using Propeller.Wasm.Commands;

namespace Propeller.Proplet.Runtimes;

/// <summary>Picks the runtime PROPLET_RUNTIME asks for (see <see cref="RuntimeMode"/>) and says which one it picked.</summary>
public static class RuntimeSelection
{
    public static IServiceCollection AddWasmRuntime(this IServiceCollection services)
    {
        services.AddSingleton<HostRuntime>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<PropletOptions>();
            return new WasmEngine(new WasmEngineOptions { Workers = options.EmbeddedWorkers });
        });
        services.AddSingleton<IWasmRuntime>(Select);
        return services;
    }

    /// <summary>Throws <see cref="WasmEngineUnavailableException"/> when the embedded runtime is required but cannot run here.</summary>
    private static IWasmRuntime Select(IServiceProvider services)
    {
        var options = services.GetRequiredService<PropletOptions>();
        var logger = services.GetRequiredService<ILogger<PropletOptions>>();
        IWasmRuntime Embedded() => new EmbeddedRuntime(
            services.GetRequiredService<WasmEngine>(), options, services.GetServices<IHostModuleProvider>());

        switch (options.Runtime)
        {
            case RuntimeMode.Host:
                return services.GetRequiredService<HostRuntime>();
            case RuntimeMode.Embedded:
                return Embedded();
        }

        var (external, _) = RuntimeLocator.Locate(options.ExternalWasmRuntime, Environment.GetEnvironmentVariable("PATH"));
        if (external is not null)
        {
            logger.LogInformation("Runtime: host ({Runtime}), found from PROPLET_EXTERNAL_WASM_RUNTIME", external);
            return services.GetRequiredService<HostRuntime>();
        }

        try
        {
            var embedded = Embedded();
            if (options.ExternalWasmRuntime is not null)
            {
                logger.LogWarning(
                    "PROPLET_EXTERNAL_WASM_RUNTIME={Runtime} is not installed; running tasks on the embedded runtime (set PROPLET_RUNTIME=host to refuse instead)",
                    options.ExternalWasmRuntime);
            }

            logger.LogInformation("Runtime: embedded (JavaScriptCore with WASI preview1)");
            return embedded;
        }
        catch (WasmEngineUnavailableException e)
        {
            logger.LogWarning("Runtime: host, but no external runtime is configured either: {Problem}", e.Message);
            return services.GetRequiredService<HostRuntime>();
        }
    }
}
