using Npgsql;

namespace Propeller.Manager.Storage;

/// <summary>
/// Reads <c>MANAGER_POSTGRES_URL</c>: a URL as libpq, psql and most hosting services write it
/// (<c>postgres://user:password@host:5432/database?sslmode=disable</c>), or an Npgsql connection string.
/// </summary>
public static class PostgresConnectionString
{
    private const string Expected =
        "expected a URL such as postgres://user:password@host:5432/database?sslmode=disable " +
        "(postgresql:// also works; percent-encode special characters in the user and password) " +
        "or an Npgsql connection string such as Host=host;Port=5432;Username=user;Password=password;Database=database";

    /// <summary>An Npgsql connection string for <paramref name="value"/>.</summary>
    /// <exception cref="FormatException">When it is neither form; the message says what is expected, never the password.</exception>
    public static string Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return FromUrl(text);
        }

        if (text.Contains('=', StringComparison.Ordinal) && !text.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                // Only checked (unknown keywords, bad numbers): the value goes on as the user wrote it.
                _ = new NpgsqlConnectionStringBuilder(text);
                return text;
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"MANAGER_POSTGRES_URL is not a valid Npgsql connection string ({e.Message}); {Expected}", e);
            }
        }

        throw new FormatException($"MANAGER_POSTGRES_URL is neither a postgres:// URL nor a connection string; {Expected}");
    }

    private static string FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.DnsSafeHost.Length == 0)
        {
            throw new FormatException($"MANAGER_POSTGRES_URL is not a URL with a host; {Expected}");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.DnsSafeHost };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            // Split before decoding: a ':' or '@' that belongs to the password arrives percent-encoded.
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var parameter = Uri.UnescapeDataString(equals < 0 ? "" : pair[(equals + 1)..]);
            ApplyParameter(builder, key, parameter);
        }

        return builder.ConnectionString;
    }

    /// <summary>The libpq URL parameters that have an Npgsql equivalent; any other is refused rather than silently dropped.</summary>
    private static void ApplyParameter(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        switch (key)
        {
            case "sslmode":
                builder.SslMode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw new FormatException($"MANAGER_POSTGRES_URL has sslmode={value}; it must be disable, allow, prefer, require, verify-ca or verify-full"),
                };
                break;
            case "application_name":
                builder.ApplicationName = value;
                break;
            case "connect_timeout" when int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds):
                builder.Timeout = seconds;
                break;
            default:
                throw new FormatException($"MANAGER_POSTGRES_URL has the parameter '{key}', which is not understood (sslmode, application_name and connect_timeout are); {Expected}");
        }
    }
}
