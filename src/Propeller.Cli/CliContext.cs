using System.CommandLine;
using System.Diagnostics;
using Propeller.Sdk;

namespace Propeller.Cli;

/// <summary>What one invocation works with: the manager's client, the output format, the two streams.</summary>
public sealed class CliContext : IDisposable
{
    private readonly Lazy<PropellerClient> _client;

    public CliContext(ParseResult parseResult, GlobalOptions global, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(global);
        ParseResult = parseResult;
        Out = stdout;
        Err = stderr;
        Verbose = parseResult.GetValue(global.Verbose);
        Format = GlobalOptions.ParseFormat(parseResult.GetValue(global.Output)) ?? OutputFormat.Json;
        FormatGiven = parseResult.GetResult(global.Output) is { Implicit: false };
        var settings = GlobalOptions.LoadSettings();
        (ManagerUrl, ManagerUrlSource) = global.ResolveManagerUrl(parseResult, settings);
        (ApiKey, ApiKeySource) = settings.Find(GlobalOptions.ApiKeyVariable) is { Value: { } key } found ? (key, found.Name) : (null, null);
        if (ApiKeySource is not null && ApiKeySource != GlobalOptions.ApiKeyVariable
            && settings.File is { } file && file.TryGet(GlobalOptions.ManagerUrlVariable, out var fileUrl, out _)
            && !GlobalOptions.SameManager(GlobalOptions.ParseManagerUrl(fileUrl), ManagerUrl))
        {
            // The file's key belongs to the file's manager; another address must not receive it.
            (ApiKey, ApiKeySource) = (null, null);
        }
        Printer = new Printer(stdout, Format, parseResult.GetValue(global.WithFile), OutputIsTerminal: ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected);
        _client = new Lazy<PropellerClient>(CreateClient);
    }

    public ParseResult ParseResult { get; }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public bool Verbose { get; }

    public OutputFormat Format { get; }

    /// <summary>True when -o/--output was on the command line (not the default).</summary>
    public bool FormatGiven { get; }

    public Uri ManagerUrl { get; }

    /// <summary>Where <see cref="ManagerUrl"/> came from: --manager-url, the environment variable, or default.</summary>
    public string ManagerUrlSource { get; }

    public Printer Printer { get; }

    /// <summary>Sent as <c>Authorization: Bearer</c>: $PROPELLER_API_KEY, else config.toml's [cli] api_key.</summary>
    public string? ApiKey { get; }

    /// <summary>Where <see cref="ApiKey"/> came from (the variable or the config file's line); null without a key.</summary>
    public string? ApiKeySource { get; }

    public PropellerClient Client => _client.Value;

    /// <summary>Progress and waiting notes go to stderr, and only when a person is watching it.</summary>
    public bool StderrIsTerminal => ReferenceEquals(Err, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>A note for the user on stderr, prefixed like every other line the CLI writes there.</summary>
    public void Note(string message) => Err.WriteLine($"{CliApplication.Name}: {message}");

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    private PropellerClient CreateClient()
    {
#pragma warning disable CA2000 // the HttpClient owns the handlers; the PropellerClient is disposed with this context
        HttpMessageHandler handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (Verbose)
        {
            handler = new TracingHandler(Err) { InnerHandler = handler };
        }

        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = ManagerUrl, Timeout = TimeSpan.FromMinutes(5) };
#pragma warning restore CA2000
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"propeller-cli/{typeof(CliContext).Assembly.GetName().Version?.ToString(3) ?? "0"}");
        return new PropellerClient(http, ownsHttp: true) { ApiKey = ApiKey };
    }

    /// <summary>Writes each request and its answer to stderr (--verbose).</summary>
    private sealed class TracingHandler(TextWriter err) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var length = request.Content?.Headers.ContentLength is { } n ? $" ({n} bytes)" : "";
            err.WriteLine($"> {request.Method} {request.RequestUri}{length}");
            var clock = Stopwatch.StartNew();
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                err.WriteLine($"< {(int)response.StatusCode} {response.ReasonPhrase} ({clock.ElapsedMilliseconds} ms)");
                return response;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                err.WriteLine($"< no answer after {clock.ElapsedMilliseconds} ms: {e.GetType().Name}: {e.Message}");
                throw;
            }
        }
    }
}
