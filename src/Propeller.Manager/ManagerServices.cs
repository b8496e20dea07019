using Microsoft.AspNetCore.Http.Features;
using Propeller.Core.Json;
using Propeller.Manager.Api;
using Propeller.Manager.Messaging;
using Propeller.Manager.Proplets;
using Propeller.Manager.Scheduling;
using Propeller.Manager.Security;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager;

public static class ManagerServices
{
    /// <summary>Registers the manager's parts. Hosted services start in this order: broker, message handler, MQTT client, placer, liveness monitor.</summary>
    public static WebApplicationBuilder AddManagerServices(this WebApplicationBuilder builder, ManagerOptions options)
    {
        var services = builder.Services;
        services.AddSingleton(options);
        // The API's JSON is the project's own source-generated contract (snake_case, nulls left out);
        // registering it here makes /openapi/v1.json describe the same names the routes write.
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, PropellerJsonContext.Default);
            json.SerializerOptions.PropertyNamingPolicy = PropellerJsonContext.Default.Options.PropertyNamingPolicy;
        });
        services.AddPropellerOpenApi();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ITaskStore>(options.PostgresConnection is { } postgres
            ? new PostgresTaskStore(postgres)
            : new SqliteTaskStore(options.SqlitePath));
        // Made by a factory so that the container disposes it (the PostgreSQL store holds a connection pool).
        services.AddSingleton<ICredentialStore>(_ => options.PostgresConnection is { } credentialsDatabase
            ? new PostgresCredentialStore(credentialsDatabase)
            : new SqliteCredentialStore(options.SqlitePath));
        services.AddSingleton<CredentialRegistry>();
        services.AddSingleton<BrokerAccessPolicy>();
        services.AddSingleton<Provisioning>();
        services.AddSingleton<PropletRegistry>();
        services.AddSingleton<PropletSelector>();
        services.AddSingleton<StripedLock>();
        services.AddSingleton<ControlMessages>();
        services.AddSingleton<TaskPlacer>();
        services.AddSingleton<TaskRecovery>();
        services.AddSingleton<TaskReports>();
        services.AddSingleton<TaskService>();

        services.AddSingleton<EmbeddedBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        services.AddSingleton<ManagerMqtt>();
        services.AddSingleton<IControlPublisher>(sp => sp.GetRequiredService<ManagerMqtt>());
        services.AddHostedService<InboundProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<ManagerMqtt>());
        services.AddHostedService<WaitingTaskPlacer>();
        services.AddHostedService<PropletLivenessMonitor>();
        services.AddManagerMetrics();

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes * 2);
        services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = options.MaxUploadBytes);
        return builder;
    }
}
