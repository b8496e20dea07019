using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Propeller.Core.Api;
using Propeller.Core.Json;
using Propeller.Core.Proplets;
using Propeller.Core.Tasks;

namespace Propeller.Sdk;

/// <summary>
/// A typed client of the Propeller manager's REST API (docs/api.md). Every call is cancellable; a
/// non-2xx answer throws <see cref="PropellerApiException"/> with the manager's <c>error</c> text, and a
/// manager that cannot be reached throws <see cref="PropellerConnectionException"/>.
/// </summary>
/// <example>
/// <code>
/// using var client = new PropellerClient(new Uri("http://localhost:7070"));
/// var task = await client.CreateTaskAsync(new TaskRequest { Name = "hello" });
/// await client.UploadAsync(task.Id, "hello.wasm");
/// await client.StartTaskAsync(task.Id);
/// var done = await client.WaitForTaskAsync(task.Id);
/// </code>
/// </example>
public sealed class PropellerClient : IDisposable
{
    /// <summary>The manager's address when none is given: upstream's port on this machine.</summary>
    public static readonly Uri DefaultManagerUrl = new("http://localhost:7070/");

    /// <summary>How often <see cref="WaitForTaskAsync(Guid, TimeSpan?, CancellationToken)"/> asks by default.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(500);

    private const int MaxErrorBodyChars = 200;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Uses <paramref name="http"/>, whose <see cref="HttpClient.BaseAddress"/> is the manager's URL. The caller keeps ownership.</summary>
    public PropellerClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var baseAddress = http.BaseAddress
            ?? throw new ArgumentException("the HttpClient needs a BaseAddress: the manager's URL, e.g. http://localhost:7070", nameof(http));
        _http = http;
        BaseAddress = WithTrailingSlash(baseAddress);
    }

    /// <summary>
    /// Talks to the manager at <paramref name="managerUrl"/> (e.g. <c>http://localhost:7070</c>) with a client of its own,
    /// sending <paramref name="apiKey"/> as <c>Authorization: Bearer</c> when given (managers with API keys require one).
    /// </summary>
    public PropellerClient(Uri managerUrl, string? apiKey = null)
        : this(CreateHttpClient(managerUrl), ownsHttp: true)
    {
        ApiKey = apiKey;
    }

    /// <summary>Uses <paramref name="http"/> and, when <paramref name="ownsHttp"/>, disposes it with this client.</summary>
    internal PropellerClient(HttpClient http, bool ownsHttp)
        : this(http)
    {
        _ownsHttp = ownsHttp;
    }

    /// <summary>The manager's URL, always ending with <c>/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Sent as <c>Authorization: Bearer</c> on every request when set (<c>propeller-cli provision</c> makes one).</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// The manager of <c>PROPELLER_MANAGER_URL</c> (default <c>http://localhost:7070</c>) with the key of
    /// <c>PROPELLER_API_KEY</c>: the variables propeller-cli reads.
    /// </summary>
    public static PropellerClient FromEnvironment()
    {
        var url = Environment.GetEnvironmentVariable("PROPELLER_MANAGER_URL");
        var key = Environment.GetEnvironmentVariable("PROPELLER_API_KEY");
        return new PropellerClient(string.IsNullOrWhiteSpace(url) ? DefaultManagerUrl : new Uri(url), string.IsNullOrWhiteSpace(key) ? null : key.Trim());
    }

    /// <summary><c>POST /tasks</c>: creates a task (state Pending) and returns it as stored.</summary>
    public Task<PropellerTask> CreateTaskAsync(TaskRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(HttpMethod.Post, "tasks", Json(request, PropellerJsonContext.Default.TaskRequest), PropellerJsonContext.Default.PropellerTask, cancellationToken);
    }

    /// <summary><c>GET /tasks/{id}</c>.</summary>
    public Task<PropellerTask> GetTaskAsync(Guid id, CancellationToken cancellationToken = default) =>
        GetTaskAsync(Id(id), cancellationToken);

    /// <summary><c>GET /tasks?offset&amp;limit&amp;state</c>: one page of tasks (<paramref name="limit"/> 1 to 100).</summary>
    public Task<TaskPage> ListTasksAsync(int offset = 0, int limit = 100, TaskState? state = null, CancellationToken cancellationToken = default)
    {
        var query = $"tasks?offset={offset.ToString(CultureInfo.InvariantCulture)}&limit={limit.ToString(CultureInfo.InvariantCulture)}";
        if (state is { } s)
        {
            query += $"&state={((int)s).ToString(CultureInfo.InvariantCulture)}";
        }

        return SendAsync(HttpMethod.Get, query, null, PropellerJsonContext.Default.TaskPage, cancellationToken);
    }

    /// <summary><c>PUT /tasks/{id}</c>: changes the fields set (non-null) in <paramref name="request"/>.</summary>
    public Task<PropellerTask> UpdateTaskAsync(Guid id, TaskRequest request, CancellationToken cancellationToken = default) =>
        UpdateTaskAsync(Id(id), request, cancellationToken);

    /// <summary><c>DELETE /tasks/{id}</c>.</summary>
    public Task DeleteTaskAsync(Guid id, CancellationToken cancellationToken = default) =>
        DeleteTaskAsync(Id(id), cancellationToken);

    /// <summary>
    /// <c>PUT /tasks/{id}/upload</c>: sends the module read from <paramref name="module"/> (from its current
    /// position) as the form part <c>file</c>. <paramref name="progress"/> hears the number of bytes sent so far.
    /// </summary>
    public Task<PropellerTask> UploadAsync(Guid id, Stream module, string fileName = "module.wasm", IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        UploadAsync(Id(id), module, fileName, progress, cancellationToken);

    /// <summary><c>PUT /tasks/{id}/upload</c> with the module in the file at <paramref name="path"/>.</summary>
    public Task<PropellerTask> UploadAsync(Guid id, string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        UploadAsync(Id(id), path, progress, cancellationToken);

    /// <summary>
    /// <c>POST /tasks/{id}/start</c>. When no proplet can take the task the manager answers 409
    /// (a <see cref="PropellerApiException"/>) and keeps the task Pending with a <c>pending_reason</c>;
    /// it starts by itself once a proplet reports in.
    /// </summary>
    public Task<StartResponse> StartTaskAsync(Guid id, CancellationToken cancellationToken = default) =>
        StartTaskAsync(Id(id), cancellationToken);

    /// <summary><c>POST /tasks/{id}/stop</c>: the task ends Interrupted.</summary>
    public Task<StopResponse> StopTaskAsync(Guid id, CancellationToken cancellationToken = default) =>
        StopTaskAsync(Id(id), cancellationToken);

    /// <summary><c>GET /tasks/{id}/results</c>: for command modules, the guest's standard output as a JSON string.</summary>
    public Task<ResultsResponse> GetResultsAsync(Guid id, CancellationToken cancellationToken = default) =>
        GetResultsAsync(Id(id), cancellationToken);

    /// <summary><c>GET /proplets?status&amp;offset&amp;limit</c>; <paramref name="status"/> is <c>active</c>, <c>inactive</c> or null for all.</summary>
    public Task<PropletPage> ListPropletsAsync(string? status = null, int offset = 0, int limit = 100, CancellationToken cancellationToken = default)
    {
        var query = $"proplets?offset={offset.ToString(CultureInfo.InvariantCulture)}&limit={limit.ToString(CultureInfo.InvariantCulture)}";
        if (!string.IsNullOrEmpty(status))
        {
            query += $"&status={Uri.EscapeDataString(status)}";
        }

        return SendAsync(HttpMethod.Get, query, null, PropellerJsonContext.Default.PropletPage, cancellationToken);
    }

    /// <summary><c>GET /proplets/{id}</c>.</summary>
    public Task<Proplet> GetPropletAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return SendAsync(HttpMethod.Get, $"proplets/{Segment(id)}", null, PropellerJsonContext.Default.Proplet, cancellationToken);
    }

    /// <summary>
    /// <c>POST /provision</c>: a domain and channel (new unless named), MQTT credentials for a manager and
    /// <see cref="ProvisionRequest.Proplets"/> proplets, and an API key. The keys are in this answer only.
    /// </summary>
    public Task<ProvisionResponse> ProvisionAsync(ProvisionRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "provision", Json(request ?? new ProvisionRequest(), PropellerJsonContext.Default.ProvisionRequest), PropellerJsonContext.Default.ProvisionResponse, cancellationToken);

    /// <summary><c>GET /credentials</c>: what was provisioned, without keys.</summary>
    public Task<CredentialList> ListCredentialsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "credentials", null, PropellerJsonContext.Default.CredentialList, cancellationToken);

    /// <summary><c>DELETE /credentials/{id}</c>: the key stops working at once.</summary>
    public async Task RevokeCredentialAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using var response = await SendRawAsync(HttpMethod.Delete, $"credentials/{Segment(id)}", null, cancellationToken);
    }

    /// <summary><c>GET /health</c>.</summary>
    public Task<HealthResponse> HealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "health", null, PropellerJsonContext.Default.HealthResponse, cancellationToken);

    /// <summary>
    /// Asks for the task every <paramref name="pollInterval"/> (default 500 ms) until its state is final
    /// (Completed, Failed, Skipped or Interrupted) and returns it, without its module (<c>file</c>: it is
    /// left out of every poll; <see cref="GetTaskAsync(Guid, CancellationToken)"/> has it). A task that
    /// waits for a proplet is waited for too: cancel <paramref name="cancellationToken"/> to give up.
    /// </summary>
    public Task<PropellerTask> WaitForTaskAsync(Guid id, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default) =>
        WaitForTaskAsync(Id(id), pollInterval, null, cancellationToken);

    /// <summary>
    /// Follows the task and yields each of its state changes (its <c>transitions</c>) once, oldest first,
    /// asking every <paramref name="pollInterval"/> (default 500 ms); ends after the task reaches a final
    /// state. Cancel <paramref name="cancellationToken"/> to stop following (the task goes on).
    /// </summary>
    public IAsyncEnumerable<TaskTransition> WatchTaskAsync(Guid id, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default) =>
        WatchTaskAsync(Id(id), pollInterval, null, cancellationToken);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    // The same calls with the id as text, sent as given (escaped), so the manager's own 400 explains a bad one.
    internal Task<PropellerTask> GetTaskAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, TaskPath(id), null, PropellerJsonContext.Default.PropellerTask, cancellationToken);

    /// <summary>The task without its module: what following a task needs, at a fraction of the bytes (a manager that ignores <c>file=false</c> sends it anyway).</summary>
    private Task<PropellerTask> GetTaskStateAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, TaskPath(id) + "?file=false", null, PropellerJsonContext.Default.PropellerTask, cancellationToken);

    internal Task<PropellerTask> UpdateTaskAsync(string id, TaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(HttpMethod.Put, TaskPath(id), Json(request, PropellerJsonContext.Default.TaskRequest), PropellerJsonContext.Default.PropellerTask, cancellationToken);
    }

    internal async Task DeleteTaskAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, TaskPath(id), null, cancellationToken);
    }

    internal async Task<PropellerTask> UploadAsync(string id, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return await UploadAsync(id, file, Path.GetFileName(path), progress, cancellationToken);
    }

    internal async Task<PropellerTask> UploadAsync(string id, Stream module, string fileName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        using var form = new MultipartFormDataContent();
        var part = new StreamContent(new ProgressStream(module, progress), 81920);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        form.Add(part, "file", fileName);
        return await SendAsync(HttpMethod.Put, TaskPath(id) + "/upload", form, PropellerJsonContext.Default.PropellerTask, cancellationToken);
    }

    internal Task<StartResponse> StartTaskAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, TaskPath(id) + "/start", null, PropellerJsonContext.Default.StartResponse, cancellationToken);

    internal Task<StopResponse> StopTaskAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, TaskPath(id) + "/stop", null, PropellerJsonContext.Default.StopResponse, cancellationToken);

    internal Task<ResultsResponse> GetResultsAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, TaskPath(id) + "/results", null, PropellerJsonContext.Default.ResultsResponse, cancellationToken);

    /// <param name="observe">Hears every answer (e.g. to tell the user why a task still waits).</param>
    internal async Task<PropellerTask> WaitForTaskAsync(string id, TimeSpan? pollInterval, Action<PropellerTask>? observe, CancellationToken cancellationToken)
    {
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));
        while (true)
        {
            var task = await GetTaskStateAsync(id, cancellationToken);
            observe?.Invoke(task);
            if (task.State.IsFinal())
            {
                return task;
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <param name="observe">Hears every answer (e.g. to keep the last one, the ended task).</param>
    internal async IAsyncEnumerable<TaskTransition> WatchTaskAsync(string id, TimeSpan? pollInterval, Action<PropellerTask>? observe, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));
        var cursor = new TransitionCursor();
        while (true)
        {
            var task = await GetTaskStateAsync(id, cancellationToken);
            observe?.Invoke(task);
            foreach (var transition in cursor.Next(task))
            {
                yield return transition;
            }

            if (task.State.IsFinal())
            {
                yield break;
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    private static HttpClient CreateHttpClient(Uri managerUrl)
    {
        ArgumentNullException.ThrowIfNull(managerUrl);
        if (!managerUrl.IsAbsoluteUri || (managerUrl.Scheme != Uri.UriSchemeHttp && managerUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{managerUrl}' is not an http:// or https:// URL such as http://localhost:7070", nameof(managerUrl));
        }

#pragma warning disable CA2000 // the HttpClient owns and disposes the handler
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = managerUrl };
    }

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static string Id(Guid id) => id.ToString("D");

    private static string TaskPath(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return $"tasks/{Segment(id)}";
    }

    /// <summary>Escapes one path segment; "." and ".." are escaped too so they stay a segment.</summary>
    private static string Segment(string value) =>
        value.Length > 0 && value.All(c => c == '.') ? value.Replace(".", "%2E", StringComparison.Ordinal) : Uri.EscapeDataString(value);

    private static ByteArrayContent Json<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, cancellationToken);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync(body, typeInfo, cancellationToken)
                ?? throw new JsonException("the body is null");
        }
        catch (JsonException e)
        {
            throw new PropellerApiException(
                response.StatusCode,
                $"the answer of {method} {Describe(path)} is not what a Propeller manager sends ({e.Message}); is {BaseAddress} a Propeller manager?",
                e);
        }
        catch (HttpRequestException e)
        {
            throw new PropellerConnectionException(BaseAddress, e);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseAddress, path)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (ApiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new PropellerConnectionException(BaseAddress, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout elapsed: nothing came back in time.
            throw new PropellerConnectionException(BaseAddress, e.InnerException as TimeoutException ?? (Exception)e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw new PropellerApiException(response.StatusCode, await ErrorTextAsync(response, cancellationToken));
        }
    }

    /// <summary>The manager's <c>error</c> text; else the start of the body; else the status line.</summary>
    private static async Task<string> ErrorTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            body = "";
        }

        try
        {
            if (JsonSerializer.Deserialize(body, PropellerJsonContext.Default.ErrorResponse) is { Error: { Length: > 0 } error })
            {
                return error;
            }
        }
        catch (JsonException)
        {
            // Not the manager's error shape: show the body itself.
        }

        var text = OneLine(body);
        if (text.Length == 0)
        {
            return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}";
        }

        return text.Length <= MaxErrorBodyChars ? text : text[..MaxErrorBodyChars] + "…";
    }

    private static string OneLine(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxErrorBodyChars + 1));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
            if (builder.Length > MaxErrorBodyChars)
            {
                break;
            }
        }

        return builder.ToString();
    }

    private static string Describe(string path)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        return "/" + (query < 0 ? path : path[..query]);
    }

    /// <summary>Counts the bytes the HTTP stack reads from the module, for an upload's progress.</summary>
    private sealed class ProgressStream(Stream inner, IProgress<long>? progress) : Stream
    {
        private long _sent;

        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set
            {
                inner.Position = value;
                _sent = 0;
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Counted(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override long Seek(long offset, SeekOrigin origin)
        {
            _sent = 0;
            return inner.Seek(offset, origin);
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int read)
        {
            if (read > 0)
            {
                _sent += read;
                progress?.Report(_sent);
            }

            return read;
        }
    }
}
