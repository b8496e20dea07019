using System.CommandLine;
using Propeller.Core.Configuration;
using Propeller.Sdk;

namespace Propeller.Cli;

/// <summary>How results are printed.</summary>
public enum OutputFormat
{
    /// <summary>Pretty-printed JSON with the manager's snake_case field names (the default, as upstream).</summary>
    Json,

    /// <summary>Aligned columns for lists, key/value lines for one item.</summary>
    Table,
}

/// <summary>The options every command takes (they are recursive: accepted before or after the command name).</summary>
public sealed class GlobalOptions
{
    public const string ManagerUrlVariable = "PROPELLER_MANAGER_URL";

    public const string ApiKeyVariable = "PROPELLER_API_KEY";

    public const string ConfigFileVariable = "PROPELLER_CONFIG_FILE";

    public GlobalOptions()
    {
        ManagerUrl = new Option<string>("--manager-url", "-m")
        {
            Description = $"The manager's REST address [env: {ManagerUrlVariable}; default: http://localhost:7070]",
            HelpName = "url",
            Recursive = true,
        };
        ManagerUrl.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (text is not null && ParseManagerUrl(text) is null)
            {
                result.AddError($"--manager-url '{text}' is not an http:// or https:// URL such as http://localhost:7070");
            }
        });

        Output = new Option<string>("--output", "-o")
        {
            Description = "How to print results: json (the manager's JSON, pretty-printed) or table (aligned columns)",
            HelpName = "json|table",
            Recursive = true,
            DefaultValueFactory = _ => "json",
        };
        Output.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (ParseFormat(text) is null)
            {
                result.AddError($"--output '{text}' is not valid: use json or table");
            }
        });
        Output.CompletionSources.Add("json", "table");

        Verbose = new Option<bool>("--verbose")
        {
            Description = "Show each HTTP request on stderr, and the stack trace of an error",
            Recursive = true,
        };

        WithFile = new Option<bool>("--with-file")
        {
            Description = "Keep the module's bytes (the base64 \"file\" field) in printed tasks; they are left out by default",
            Recursive = true,
        };
    }

    public Option<string> ManagerUrl { get; }

    public Option<string> Output { get; }

    public Option<bool> Verbose { get; }

    public Option<bool> WithFile { get; }

    public void AddTo(RootCommand root)
    {
        root.Add(ManagerUrl);
        root.Add(Output);
        root.Add(Verbose);
        root.Add(WithFile);
    }

    /// <summary>--manager-url, else $PROPELLER_MANAGER_URL, else config.toml's [cli] manager_url, else upstream's default; and where it came from.</summary>
    public (Uri Url, string Source) ResolveManagerUrl(ParseResult parseResult, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (parseResult.GetValue(ManagerUrl) is { Length: > 0 } given)
        {
            return (ParseManagerUrl(given)!, "--manager-url");
        }

        var (configured, source) = settings.Find(ManagerUrlVariable);
        if (configured is not null)
        {
            return (ParseManagerUrl(configured)
                ?? throw new CliException($"{source}='{configured}' is not an http:// or https:// URL such as http://localhost:7070", ExitCodes.Usage),
                source);
        }

        return (PropellerClient.DefaultManagerUrl, "default");
    }

    /// <summary>
    /// The environment over config.toml's [cli] section ($PROPELLER_CONFIG_FILE, else ./config.toml when it exists):
    /// <c>manager_url</c> and <c>api_key</c>, as <c>propeller-cli provision</c> writes them.
    /// </summary>
    public static Settings LoadSettings()
    {
        try
        {
            return Settings.FromEnvironmentAndFile(ConfigFileVariable, "cli", "PROPELLER_");
        }
        catch (InvalidSettingException) when (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ConfigFileVariable)))
        {
            // ./config.toml may well be another tool's (many use the name): one this CLI cannot read is not its own.
            return Settings.FromEnvironment();
        }
        catch (InvalidSettingException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    /// <summary>Whether two manager URLs name the same server (scheme, host and port).</summary>
    public static bool SameManager(Uri? a, Uri b) =>
        a is not null && a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    public static OutputFormat? ParseFormat(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "json" => OutputFormat.Json,
        "table" => OutputFormat.Table,
        _ => null,
    };

    /// <summary>Accepts <c>http://host:port</c> and, for convenience, <c>host:port</c>.</summary>
    public static Uri? ParseManagerUrl(string text)
    {
        text = text.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) &&
               (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) &&
               uri.Host.Length > 0 && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
            ? uri
            : null;
    }
}
