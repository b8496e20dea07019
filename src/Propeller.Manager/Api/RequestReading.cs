using System.Globalization;
using System.Text.Json;
using Propeller.Core.Json;
using Propeller.Core.Tasks;

namespace Propeller.Manager.Api;

/// <summary>Reads ids, pages and bodies from requests, refusing bad ones with a 400 that says why.</summary>
public static class RequestReading
{
    public const int MaxPageSize = 100;

    public static Guid TaskId(string id) =>
        Guid.TryParse(id, out var guid)
            ? guid
            : throw ApiError.BadRequest($"'{Truncate(id)}' is not a task id: ids are UUIDs such as 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31");

    public static (int Offset, int Limit) Page(HttpRequest request)
    {
        var offset = Number(request, "offset", 0, 0, int.MaxValue);
        var limit = Number(request, "limit", MaxPageSize, 1, MaxPageSize);
        return (offset, limit);
    }

    public static async Task<TaskRequest> TaskRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await JsonSerializer.DeserializeAsync(request.Body, PropellerJsonContext.Default.TaskRequest, cancellationToken);
        return body ?? throw ApiError.BadRequest("the body must be a JSON object, e.g. {\"name\": \"hello\"}, not null");
    }

    public static async Task<byte[]> UploadedModuleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            throw ApiError.BadRequest("expected a multipart/form-data body with a part named 'file', e.g. curl -X PUT …/upload -F \"file=@module.wasm\"");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e) when (e.Message.StartsWith("Multipart body length limit", StringComparison.Ordinal))
        {
            throw ApiError.TooLarge($"the module is larger than this manager accepts (MANAGER_MAX_UPLOAD_MB): {e.Message}");
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not BadHttpRequestException)
        {
            // The form reader's other limits (parts, headers, boundary length) are about the form's shape, not the module's size.
            throw ApiError.BadRequest($"the multipart body is malformed, cut short or not shaped like an upload ({e.Message}); send the module with curl -F \"file=@module.wasm\"");
        }

        var file = form.Files.GetFile("file")
            ?? throw ApiError.BadRequest(form.Files.Count == 0
                ? "the form has no file part: send the module as -F \"file=@module.wasm\""
                : $"the form has no part named 'file' (it has: {string.Join(", ", form.Files.Select(f => f.Name))}); send -F \"file=@module.wasm\"");

        using var buffer = new MemoryStream((int)Math.Min(file.Length, int.MaxValue));
        await file.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static int Number(HttpRequest request, string name, int fallback, int min, int max)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ApiError.BadRequest($"{name}='{Truncate(text)}' is not valid: expected a whole number from {min} to {max}");
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
