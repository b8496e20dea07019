using System.Net;
using Propeller.Manager.Security;

namespace Propeller.Manager.Api;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> on every route but <c>/health</c> once any API key exists
/// (MANAGER_API_KEYS or provisioned). Without keys the API is open, as upstream's, which is what the seeds'
/// curl lines expect on a laptop; the manager says so at start, loudly when it listens beyond loopback.
/// </summary>
public static class ApiKeyAuthentication
{
    private const string Challenge = "Bearer realm=\"propeller\"";

    public static IApplicationBuilder UseApiKeys(this WebApplication app, ManagerOptions options)
    {
        var registry = app.Services.GetRequiredService<CredentialRegistry>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Propeller.Manager.Api");
        ReportMode(registry, options, logger);
        var required = registry.ApiKeysRequired;
        registry.Changed += () =>
        {
            if (registry.ApiKeysRequired != required)
            {
                required = registry.ApiKeysRequired;
                ReportMode(registry, options, logger);
            }
        };

        return app.Use(async (context, next) =>
        {
            if (!registry.ApiKeysRequired || context.Request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            var problem = Check(context.Request.Headers.Authorization.ToString(), registry);
            if (problem is null)
            {
                await next(context);
                return;
            }

            context.Response.Headers.WWWAuthenticate = Challenge;
            await ErrorHandling.Error(StatusCodes.Status401Unauthorized, problem).ExecuteAsync(context);
        });
    }

    /// <summary>Null when the header carries a valid key; otherwise what to do about it.</summary>
    private static string? Check(string header, CredentialRegistry registry)
    {
        const string Hint = "send the header 'Authorization: Bearer <key>' with a key from MANAGER_API_KEYS or from `propeller-cli provision` (its config.toml, [cli] api_key; the CLI and SDK read PROPELLER_API_KEY)";
        if (header.Length == 0)
        {
            return $"this manager requires an API key: {Hint}";
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return $"the Authorization header is not 'Bearer <key>': {Hint}";
        }

        var key = header["Bearer ".Length..].Trim();
        return key.Length > 0 && key.Length <= 512 && registry.IsApiKey(key) ? null : $"the API key is not valid here (revoked, mistyped, or from another manager): {Hint}";
    }

    private static void ReportMode(CredentialRegistry registry, ManagerOptions options, ILogger logger)
    {
        if (registry.ApiKeysRequired)
        {
            logger.LogInformation("REST API requires an API key (Authorization: Bearer) on every route but /health");
        }
        else if (ListensOnLoopbackOnly(options.HttpHost))
        {
            logger.LogInformation(
                "REST API is open: no API key is configured and it listens on {host} only. Set MANAGER_API_KEYS or run `propeller-cli provision` to require keys",
                options.HttpHost);
        }
        else
        {
            logger.LogWarning(
                "SECURITY WARNING: the REST API on {host}:{port} accepts every request from anyone who reaches it: no API key is configured. Set MANAGER_API_KEYS or run `propeller-cli provision`, or listen on 127.0.0.1 (MANAGER_HTTP_HOST)",
                options.HttpHost, options.HttpPort);
        }
    }

    private static bool ListensOnLoopbackOnly(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
