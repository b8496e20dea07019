using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Propeller.Core.Api;
using Propeller.Core.Json;
using Propeller.Core.Proplets;
using Propeller.Core.Tasks;

namespace Propeller.Cli;

/// <summary>
/// Prints what the manager answered: as pretty JSON with its own field names (default), or as a table.
/// The module's bytes (<c>file</c>) are left out of printed tasks unless --with-file is given.
/// </summary>
public sealed record Printer(TextWriter Out, OutputFormat Format, bool WithFile, bool OutputIsTerminal)
{
    private static readonly JsonWriterOptions Pretty = new()
    {
        Indented = true,
        // Show text as written (e.g. "+", "<", "é"); the output is for a terminal or a pipe, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The longest state name, Interrupted.</summary>
    private const int StateWidth = 11;

    /// <summary>One-line JSON with text shown as written, for <see cref="Transition"/>.</summary>
    private static readonly PropellerJsonContext CompactJson = new(new JsonSerializerOptions(PropellerJsonContext.Default.Options)
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public void Task(PropellerTask task)
    {
        if (Format == OutputFormat.Json)
        {
            var node = JsonSerializer.SerializeToNode(task, PropellerJsonContext.Default.PropellerTask)!;
            WriteJson(WithoutFile(node));
            return;
        }

        var rows = new List<(string, string)>
        {
            ("id", task.Id.ToString()),
            ("name", task.Name),
            ("state", $"{task.State} ({(int)task.State})"),
            ("proplet", task.PropletId ?? "-"),
            ("image_url", task.ImageUrl ?? "-"),
            ("file", task.File is { } file ? $"{file.Length.ToString(CultureInfo.InvariantCulture)} bytes" : "-"),
            ("cli_args", task.CliArgs is { Count: > 0 } args ? JsonSerializer.Serialize(args, PropellerJsonContext.Default.ListString) : "-"),
            ("inputs", task.Inputs is { Count: > 0 } inputs ? JsonSerializer.Serialize(inputs, PropellerJsonContext.Default.ListJsonElement) : "-"),
            ("env", task.Env is { Count: > 0 } env ? string.Join(" ", env.Select(kv => $"{kv.Key}={kv.Value}")) : "-"),
            ("daemon", task.Daemon ? "true" : "false"),
            ("timeout", task.Timeout ?? "-"),
            ("retries", $"{task.Retries.ToString(CultureInfo.InvariantCulture)} of {task.MaxRetries.ToString(CultureInfo.InvariantCulture)} (attempt {task.Attempt.ToString(CultureInfo.InvariantCulture)})"),
        };
        if (task.PendingReason is { Length: > 0 } reason)
        {
            rows.Add(("pending_reason", reason));
        }

        if (task.Error is { Length: > 0 } error)
        {
            rows.Add(("error", error));
        }

        rows.Add(("created_at", Time(task.CreatedAt)));
        rows.Add(("updated_at", Time(task.UpdatedAt)));
        rows.Add(("start_time", Time(task.StartTime)));
        rows.Add(("finish_time", Time(task.FinishTime)));
        rows.Add(("results", task.Results is { } results ? ResultsText(results).TrimEnd('\n') : "-"));
        KeyValues(rows);
    }

    public void TaskPage(TaskPage page)
    {
        if (Format == OutputFormat.Json)
        {
            var node = JsonSerializer.SerializeToNode(page, PropellerJsonContext.Default.TaskPage)!;
            if (node["tasks"] is JsonArray tasks)
            {
                foreach (var task in tasks)
                {
                    if (task is not null)
                    {
                        WithoutFile(task);
                    }
                }
            }

            WriteJson(node);
            return;
        }

        Columns(
            ["ID", "NAME", "STATE", "PROPLET", "CREATED"],
            page.Tasks.Select(t => new[] { t.Id.ToString(), t.Name, t.State.ToString(), t.PropletId ?? "-", Time(t.CreatedAt) }));
        PageFooter("tasks", page.Offset, page.Tasks.Count, page.Total);
    }

    public void Proplet(Proplet proplet)
    {
        if (Format == OutputFormat.Json)
        {
            WriteJson(proplet, PropellerJsonContext.Default.Proplet);
            return;
        }

        var rows = new List<(string, string)>
        {
            ("id", proplet.Id),
            ("name", proplet.Name),
            ("alive", proplet.Alive ? "true" : "false"),
            ("task_count", proplet.TaskCount.ToString(CultureInfo.InvariantCulture)),
            ("last_alive_at", Time(proplet.LastAliveAt)),
        };
        var metadata = JsonSerializer.SerializeToNode(proplet.Metadata, PropellerJsonContext.Default.PropletMetadata) as JsonObject;
        foreach (var (key, value) in metadata ?? [])
        {
            if (value is not null)
            {
                rows.Add(($"metadata.{key}", value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value.ToJsonString()));
            }
        }

        KeyValues(rows);
    }

    public void PropletPage(PropletPage page)
    {
        if (Format == OutputFormat.Json)
        {
            WriteJson(page, PropellerJsonContext.Default.PropletPage);
            return;
        }

        Columns(
            ["ID", "NAME", "ALIVE", "TASKS", "LAST SEEN"],
            page.Proplets.Select(p => new[] { p.Id, p.Name, p.Alive ? "yes" : "no", p.TaskCount.ToString(CultureInfo.InvariantCulture), Time(p.LastAliveAt) }));
        PageFooter("proplets", page.Offset, page.Proplets.Count, page.Total);
    }

    public void Health(HealthResponse health)
    {
        if (Format == OutputFormat.Json)
        {
            WriteJson(health, PropellerJsonContext.Default.HealthResponse);
            return;
        }

        KeyValues([
            ("status", health.Status),
            ("version", health.Version),
            ("description", health.Description),
            ("instance_id", health.InstanceId),
        ]);
    }

    /// <summary><c>GET /tasks/{id}/results</c>: the manager's JSON, or (table) the results as text.</summary>
    public void Results(ResultsResponse results)
    {
        if (Format == OutputFormat.Json)
        {
            WriteJson(results, PropellerJsonContext.Default.ResultsResponse);
            return;
        }

        RawResults(results.Results);
    }

    /// <summary>
    /// One state change on one line, so that a follower can read it as it comes: a JSON object per
    /// line (JSON Lines) or time, state, proplet and reason in columns.
    /// </summary>
    public void Transition(TaskTransition transition)
    {
        if (Format == OutputFormat.Json)
        {
            Out.WriteLine(JsonSerializer.Serialize(transition, CompactJson.TaskTransition));
        }
        else
        {
            var state = transition.State.ToString().PadRight(StateWidth);
            var proplet = (transition.PropletId ?? "-").PadRight(transition.Reason is null ? 0 : 14);
            Out.WriteLine(Cell($"{Time(transition.At)}  {state}  {proplet}  {transition.Reason}".TrimEnd()));
        }

        Out.Flush();
    }

    /// <summary>The results as the guest wrote them (a JSON string is printed as its text; other JSON as JSON).</summary>
    public void RawResults(JsonElement? results)
    {
        if (results is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return;
        }

        var text = ResultsText(value);
        Out.Write(text);
        if (text.Length > 0 && !text.EndsWith('\n') && (OutputIsTerminal || value.ValueKind != JsonValueKind.String))
        {
            Out.WriteLine();
        }

        Out.Flush();
    }

    /// <summary>What provisioning created and where the keys went; never the keys themselves (they are in the files).</summary>
    public void Provisioned(ProvisionResponse provisioned, IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(provisioned);
        ArgumentNullException.ThrowIfNull(files);
        if (Format == OutputFormat.Json)
        {
            WriteJson(new JsonObject
            {
                ["domain_id"] = provisioned.DomainId,
                ["channel_id"] = provisioned.ChannelId,
                ["manager_client_id"] = provisioned.Manager.ClientId,
                ["proplet_client_ids"] = new JsonArray([.. provisioned.Proplets.Select(p => JsonValue.Create(p.ClientId))]),
                ["api_key_id"] = provisioned.Api.Id,
                ["files"] = new JsonArray([.. files.Select(f => JsonValue.Create(f))]),
            });
            return;
        }

        KeyValues([
            ("domain_id", provisioned.DomainId),
            ("channel_id", provisioned.ChannelId),
            ("manager_client_id", provisioned.Manager.ClientId),
            ("proplet_client_ids", provisioned.Proplets.Count == 0 ? "-" : string.Join(", ", provisioned.Proplets.Select(p => p.ClientId))),
            ("api_key_id", provisioned.Api.Id),
            ("files", string.Join(", ", files)),
        ]);
    }

    public void Credentials(CredentialList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (Format == OutputFormat.Json)
        {
            WriteJson(list, PropellerJsonContext.Default.CredentialList);
            return;
        }

        Columns(
            ["ID", "KIND", "DOMAIN", "CHANNEL", "CREATED"],
            list.Credentials.Select(c => new[] { c.Id, c.Kind, c.DomainId, c.ChannelId, Time(c.CreatedAt) }));
    }

    /// <summary>An acknowledgement: <c>{"started": true}</c> in JSON, a sentence in a table.</summary>
    public void Done(string field, string sentence)
    {
        if (Format == OutputFormat.Json)
        {
            WriteJson(new JsonObject { [field] = true });
            return;
        }

        Out.WriteLine(sentence);
    }

    public static string Time(DateTime time) =>
        time == default ? "-" : time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string ResultsText(JsonElement results) =>
        results.ValueKind == JsonValueKind.String ? results.GetString() ?? "" : results.GetRawText();

    private JsonNode WithoutFile(JsonNode task)
    {
        if (!WithFile && task is JsonObject obj)
        {
            obj.Remove("file");
        }

        return task;
    }

    private void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo) =>
        WriteJson(JsonSerializer.SerializeToNode(value, typeInfo));

    private void WriteJson(JsonNode? node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Pretty))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }

        Out.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        Out.Flush();
    }

    private void KeyValues(IReadOnlyList<(string Key, string Value)> rows)
    {
        var width = rows.Max(r => r.Key.Length) + 2;
        var builder = new StringBuilder();
        foreach (var (key, value) in rows)
        {
            var lines = value.Split('\n');
            builder.Append((key + ":").PadRight(width)).Append(lines[0].TrimEnd('\r')).Append('\n');
            foreach (var line in lines.Skip(1))
            {
                builder.Append(' ', width).Append(line.TrimEnd('\r')).Append('\n');
            }
        }

        Out.Write(builder.ToString());
        Out.Flush();
    }

    private void Columns(string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.Select(r => r.Select(Cell).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        var builder = new StringBuilder();
        foreach (var row in all.Prepend(headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                builder.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            builder.Append('\n');
        }

        Out.Write(builder.ToString());
        Out.Flush();
    }

    private void PageFooter(string what, int offset, int shown, long total)
    {
        if (shown == 0)
        {
            Out.WriteLine(total == 0 ? $"(no {what})" : $"(no {what} from offset {offset}; there are {total})");
        }
        else if (shown < total)
        {
            Out.WriteLine($"({offset + 1}-{offset + shown} of {total} {what}; see --offset and --limit)");
        }

        Out.Flush();
    }

    /// <summary>One table cell is one line: control characters (a newline in a name) would break the columns.</summary>
    private static string Cell(string text) =>
        text.Any(char.IsControl) ? new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]) : text;
}
