using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Propeller.IntegrationTests.Fuzz;

/// <summary>Requests to every route of docs/api.md with every method, hostile ids and query strings, bodies and multipart uploads.</summary>
internal static class RestGenerators
{
    public static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO"];

    /// <summary>The routes of docs/api.md ({id} is filled in) and some that do not exist.</summary>
    public static readonly string[] Routes =
    [
        "/tasks", "/tasks/{id}", "/tasks/{id}/upload", "/tasks/{id}/start", "/tasks/{id}/stop", "/tasks/{id}/results",
        "/proplets", "/proplets/{id}", "/health", "/openapi/v1.json", "/metrics", "/{id}", "/tasks/{id}/{id}", "/tasks/{id}/results/{id}",
    ];

    /// <summary>Ids that are paths, encodings, injections, or not quite UUIDs.</summary>
    public static readonly string[] HostileIds =
    [
        "..%2F..%2Fetc%2Fpasswd", "..%2f..%2f..%2fetc%2fshadow", "%2e%2e%2f%2e%2e%2f", "..%5C..%5Cwindows", "%00", "abc%00def", "%FF%FE", "%C0%AF",
        "%E2%80%AE", "%F0%9F%98%80", "%ED%A0%80", "%25", "%", "%%", "%G1", "%20", "+", ";", ",", "'", "%22", "%3Cscript%3E", "%0D%0ASet-Cookie:x",
        "nul", "CON", ".", "..%2F", "null", "undefined", "0", "-1", "00000000-0000-0000-0000-000000000000", "3fc0a69a-6c1c-4944-bd71-1117e9ddcf31",
        "3FC0A69A6C1C4944BD711117E9DDCF31", "{3fc0a69a-6c1c-4944-bd71-1117e9ddcf31}", "(3fc0a69a-6c1c-4944-bd71-1117e9ddcf31)",
        "3fc0a69a-6c1c-4944-bd71-1117e9ddcf31x", "3fc0a69a-6c1c-4944-bd71-1117e9ddcf3", "{0x3fc0a69a,0x6c1c,0x4944,{0xbd,0x71,0x11,0x17,0xe9,0xdd,0xcf,0x31}}",
        "名前", "😀", "é", "%C3%A9", "%E5%90%8D",
    ];

    public static readonly string[] QueryKeys = ["offset", "limit", "state", "file", "status", "id", "", "offset[]", "%00", "x"];

    public static readonly string[] QueryValues =
    [
        "", "0", "1", "-1", "100", "101", "2147483647", "2147483648", "99999999999999999999", "1e3", "0x10", "1.5", " 1", "abc", "%00", "%FF",
        "true", "false", "TRUE", "no", "pending", "RUNNING", " running", "completed,failed", "pending, completed", "1,2", "7", "-0", "Pending|Failed",
        "active", "inactive", "alive", "dead", "zombie", "%E2%80%AE", "%F0%9F%98%80", "%25", "+", "=", "%26%3D",
    ];

    /// <summary>An id: hostile, a random UUID, one of <paramref name="known"/> (tasks the test made), percent-escaped junk, or very long.</summary>
    public static Gen<string> Id(IReadOnlyList<string> known) =>
        Gen.Frequency(
            (4, Gen.Elements(HostileIds)),
            (2, Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 16).Select(b => new Guid(b).ToString())),
            (3, Gen.Elements(known.ToArray())),
            (2, JsonGenerators.Text.Select(Uri.EscapeDataString)),
            (1, Gen.Choose(100, 7000).Select(n => new string('a', n))),
            (1, Gen.Choose(8200, 20_000).Select(n => new string('9', n))));

    public static Gen<string> Query =>
        Gen.Frequency(
            (1, Gen.Constant("")),
            (3, Gen.Choose(1, 4)
                .SelectMany(n => Gen.ListOf(Gen.Zip(Gen.Elements(QueryKeys), Gen.OneOf(Gen.Elements(QueryValues), JsonGenerators.Text.Select(Uri.EscapeDataString))), n))
                .Select(pairs => "?" + string.Join("&", pairs.Select(p => p.Item1 + "=" + p.Item2)))),
            (1, Gen.Elements("?", "?&&", "?=", "?limit", "?limit=1&limit=2", "?" + new string('x', 4000))));

    /// <summary>Any route with any method, id and query; sometimes a body.</summary>
    public static Gen<HostileRequest> AnyRoute(IReadOnlyList<string> known) =>
        from method in Gen.Elements(Methods)
        from route in Gen.Elements(Routes)
        from id in Id(known)
        from query in Query
        from body in Gen.Frequency((3, Gen.Constant<byte[]?>(null)), (1, JsonGenerators.AnyBody.Where(b => b.Length < 64 * 1024).Select(b => (byte[]?)b)))
        from contentType in ContentType
        select new HostileRequest(method, route.Replace("{id}", id, StringComparison.Ordinal) + query, body is null ? null : contentType, body);

    public static Gen<string?> ContentType =>
        Gen.Elements<string?>(
            "application/json", "application/json", "application/json; charset=utf-8", "application/json; charset=latin1", "application/json; charset=utf-16",
            "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/*", "application/json; boundary=\"", ";;;", null);

    /// <summary>A task body (valid or not) to create a task or to update one of <paramref name="known"/>.</summary>
    public static Gen<HostileRequest> Bodies(IReadOnlyList<string> known) =>
        from update in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
        from id in Gen.Elements(known.ToArray())
        from body in JsonGenerators.AnyBody
        from contentType in Gen.Frequency((6, Gen.Constant<string?>("application/json")), (1, ContentType))
        select new HostileRequest(update ? "PUT" : "POST", update ? $"/tasks/{id}" : "/tasks", contentType, body);

    /// <summary>A multipart upload to one of <paramref name="known"/>: well formed or broken, small or above the limit.</summary>
    public static Gen<HostileRequest> Uploads(IReadOnlyList<string> known, bool modulesAllowed) =>
        from id in Gen.Elements(known.ToArray())
        from upload in Multipart(modulesAllowed)
        select new HostileRequest("PUT", $"/tasks/{id}/upload", upload.ContentType, upload.Body);

    public static Gen<(string? ContentType, byte[] Body)> Multipart(bool modulesAllowed) =>
        from boundary in Gen.Frequency((5, Gen.Constant("fuzzboundary")), (1, Gen.Elements("", "a", "\"quoted\"", new string('b', 70), new string('c', 200), "--", "x y", "%C3%A9")))
        from contentType in Gen.Frequency(
            (6, Gen.Constant<string?>($"multipart/form-data; boundary={boundary}")),
            (1, Gen.Elements<string?>("multipart/form-data", "multipart/form-data; boundary=", $"multipart/mixed; boundary={boundary}", "application/x-www-form-urlencoded", "application/octet-stream", null)))
        from partList in Gen.Frequency(
            (6, Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Part(boundary, modulesAllowed, large: true), n))),
            (1, Gen.Constant(Array.Empty<byte[]>())),
            (1, Gen.Choose(1020, 1100).SelectMany(n => Gen.ArrayOf(Part(boundary, modulesAllowed, large: false), n))))
        from ending in Gen.Elements($"--{boundary}--\r\n", $"--{boundary}--", "", $"--{boundary}", "--wrong--\r\n", $"\r\n--{boundary}--\r\n")
        from preamble in Gen.Elements("", "preamble\r\n", new string('p', 20_000))
        select (contentType, Concat(Encoding.UTF8.GetBytes(preamble), Concat(partList), Encoding.UTF8.GetBytes(ending)));

    private static Gen<byte[]> Part(string boundary, bool modulesAllowed, bool large) =>
        from name in Gen.Frequency((5, Gen.Constant("file")), (1, Gen.Elements("", "File", "wasm", "file\"", "fi\u00e9le", "file; name=other")))
        from fileName in Gen.Elements("module.wasm", "", "../../etc/passwd", "..\\..\\boot.ini", "\u202egnp.wasm", new string('n', 5000), "a\"b.wasm", "%00.wasm")
        from disposition in Gen.Elements(
            $"form-data; name=\"{name}\"; filename=\"{fileName}\"", $"form-data; name=\"{name}\"", "form-data", "attachment; filename=x", "", "form-data; name=file; filename*=UTF-8''%E2%82%AC.wasm")
        from headers in Gen.Elements("", "Content-Type: application/wasm\r\n", "Content-Type: text/plain; charset=utf-8\r\n", string.Concat(Enumerable.Repeat("X-Junk: y\r\n", 200)), "Broken header line\r\n", "Content-Length: 99999999\r\n")
        from content in Content(modulesAllowed, large)
        select Concat(Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: {disposition}\r\n{headers}\r\n"), content, "\r\n"u8.ToArray());

    /// <summary>What a part holds: nothing, text, random bytes, a module preamble with junk (when allowed), or more than MANAGER_MAX_UPLOAD_MB.</summary>
    private static Gen<byte[]> Content(bool modulesAllowed, bool large)
    {
        var small = Gen.OneOf(
            Gen.Constant(Array.Empty<byte>()),
            Gen.Elements("(module)", "hello", "AGFzbQEAAAA=", "\0asm", "\0asm\u000d\0\u0001\0").Select(Encoding.UTF8.GetBytes),
            JsonGenerators.RandomBytes.Select(b => b.Length > 0 && b[0] == 0 ? b[1..] : b));
        var notModules = large
            ? Gen.Frequency((4, small), (1, Gen.Choose(1_100_000, 2_600_000).Select(n => Enumerable.Repeat((byte)'x', n).ToArray())))
            : small;
        if (!modulesAllowed || !large)
        {
            return notModules;
        }

        var modules = Gen.OneOf(
            Gen.Constant<byte[]>([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]),
            JsonGenerators.RandomBytes.Select(b => Concat([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00], b)),
            Gen.Choose(1_000_000, 2_200_000).Select(n => Concat([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00], new byte[n])));
        return Gen.Frequency((3, notModules), (1, modules));
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(all, offset);
            offset += part.Length;
        }

        return all;
    }
}
