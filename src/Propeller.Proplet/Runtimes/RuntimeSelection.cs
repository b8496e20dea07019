using Propeller.Wasm;
using Propeller.Wasm.Commands;
using Propeller.WasiNn;
using Propeller.WasiNn.Backends.Onnx;

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
        services.AddSingleton(sp => GraphCatalog.WithBuiltInBackends(
            new OnnxBackendOptions { IntraOpThreads = sp.GetRequiredService<PropletOptions>().NnThreads }));
        services.AddSingleton<IHostModuleProvider>(sp => new WasiNnProvider(
            sp.GetRequiredService<GraphCatalog>(), sp.GetRequiredService<ILogger<WasiNnProvider>>()));
        services.AddSingleton<IWasmRuntime>(sp =>
        {
            var runtime = Select(sp);
            LogAllowedDirectories(sp.GetRequiredService<PropletOptions>(), sp.GetRequiredService<ILogger<PropletOptions>>());
            return runtime;
        });
        return services;
    }

    /// <summary>Loads PROPLET_NN_GRAPHS once, before the proplet announces itself; throws <see cref="WasiNnException"/> when one cannot be loaded.</summary>
    private static void Preload(GraphCatalog catalog, PropletOptions options, ILogger logger)
    {
        foreach (var spec in options.NnGraphs)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                catalog.Preload([spec]);
            }
            catch (WasiNnException e)
            {
                throw new WasiNnException(e.Errno, $"PROPLET_NN_GRAPHS: cannot load {spec}: {e.Message}", e);
            }

            logger.LogInformation("wasi-nn graph `{name}` loaded from {spec} in {elapsed:F0} ms",
                spec.Name, spec, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>What tasks may map, said once at start; an allowed directory that is missing is likely a typo or an unmounted volume.</summary>
    private static void LogAllowedDirectories(PropletOptions options, ILogger logger)
    {
        var allowed = AllowedDirectories.For(options);
        logger.LogInformation("Tasks may map host directories inside {allowed_dirs}", allowed.Describe());
        foreach (var directory in allowed.Directories.Where(d => options.AllowedDirs is not null && !Directory.Exists(d)))
        {
            logger.LogWarning("PROPLET_ALLOWED_DIRS names {directory}, which does not exist (yet): tasks cannot map it", directory);
        }
    }

    /// <summary>Throws <see cref="WasmEngineUnavailableException"/> when the embedded runtime is required but cannot run here.</summary>
    private static IWasmRuntime Select(IServiceProvider services)
    {
        var options = services.GetRequiredService<PropletOptions>();
        var logger = services.GetRequiredService<ILogger<PropletOptions>>();
        IWasmRuntime Embedded()
        {
            var runtime = new EmbeddedRuntime(
                services.GetRequiredService<WasmEngine>(), options, services.GetServices<IHostModuleProvider>(), services.GetRequiredService<GraphCatalog>());
            Preload(services.GetRequiredService<GraphCatalog>(), options, logger);
            return runtime;
        }

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
            logger.LogInformation("Runtime: host ({runtime}), found from PROPLET_EXTERNAL_WASM_RUNTIME", external);
            return services.GetRequiredService<HostRuntime>();
        }

        try
        {
            var embedded = Embedded();
            if (options.ExternalWasmRuntime is not null)
            {
                logger.LogWarning(
                    "PROPLET_EXTERNAL_WASM_RUNTIME={runtime} is not installed; running tasks on the embedded runtime (set PROPLET_RUNTIME=host to refuse instead)",
                    options.ExternalWasmRuntime);
            }

            logger.LogInformation("Runtime: embedded (JavaScriptCore with WASI preview1)");
            return embedded;
        }
        catch (WasmEngineUnavailableException e)
        {
            logger.LogWarning("Runtime: host, but no external runtime is configured either: {problem}", e.Message);
            return services.GetRequiredService<HostRuntime>();
        }
    }
}
