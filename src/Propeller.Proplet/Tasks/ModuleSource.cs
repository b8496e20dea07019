using Propeller.Core.Messaging;
using Propeller.Core.Tasks;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// Gets a task's module: inline from the start message, or downloaded when <c>image_url</c> is a
/// plain http(s) URL of a .wasm file. OCI image references need upstream's registry proxy, which
/// this version does not have; such tasks fail saying so.
/// </summary>
public sealed class ModuleSource(HttpClient http, PropletOptions options)
{
    public async Task<(byte[]? Module, string? Problem)> GetAsync(StartMessage start, CancellationToken cancellationToken)
    {
        if (start.File is { Length: > 0 } file)
        {
            return (file, WasmModule.Describe(file));
        }

        if (string.IsNullOrWhiteSpace(start.ImageUrl))
        {
            return (null, "the start message carries neither file nor image_url");
        }

        if (!Uri.TryCreate(start.ImageUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return (null, $"image_url '{start.ImageUrl}' is not an http(s) URL; OCI images need the registry proxy, which this proplet does not have: upload the module instead (PUT /tasks/{{id}}/upload)");
        }

        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"image_url {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var limit = options.MaxModuleBytes;
            if (response.Content.Headers.ContentLength > limit)
            {
                return (null, $"image_url {uri} is {response.Content.Headers.ContentLength} bytes; at most {limit} are accepted");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, $"image_url {uri} is larger than {limit} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            var module = buffer.ToArray();
            return (module, WasmModule.Describe(module) is { } problem ? $"image_url {uri}: {problem}" : null);
        }
        catch (HttpRequestException e)
        {
            return (null, $"image_url {uri} could not be fetched: {e.Message}");
        }
    }
}
