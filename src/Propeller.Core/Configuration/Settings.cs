namespace Propeller.Core.Configuration;

/// <summary>
/// Reads configuration by its environment names. Upstream has two generations of names (legacy
/// <c>*_DOMAIN_ID/_CLIENT_ID/_CLIENT_KEY</c>, current <c>*_TENANT_ID/_ENTITY_ID/_API_KEY</c>); every
/// setting is looked up under each of its names in order, and the first non-empty value wins.
/// </summary>
public sealed class Settings(Func<string, string?> lookup)
{
    public static Settings FromEnvironment() => new(Environment.GetEnvironmentVariable);

    /// <summary>The first non-empty value among <paramref name="names"/>, and the name it came from.</summary>
    public (string? Value, string Name) Find(params string[] names)
    {
        foreach (var name in names)
        {
            var value = lookup(name);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), name);
            }
        }

        return (null, names[0]);
    }

    public string? Get(params string[] names) => Find(names).Value;

    public string GetOrDefault(string fallback, params string[] names) => Get(names) ?? fallback;

    public int GetInt(int fallback, int min, int max, params string[] names)
    {
        var (value, name) = Find(names);
        if (value is null)
        {
            return fallback;
        }

        if (!int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new InvalidSettingException(name, value, $"a whole number from {min} to {max}");
        }

        return number;
    }

    public TimeSpan GetDuration(TimeSpan fallback, params string[] names)
    {
        var (value, name) = Find(names);
        if (value is null)
        {
            return fallback;
        }

        return Duration.TryParse(value, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new InvalidSettingException(name, value, "a positive duration such as 10, 10s, 500ms or 2m (a bare number means seconds)");
    }

    public bool GetBool(bool fallback, params string[] names)
    {
        var (value, name) = Find(names);
        return value?.ToLowerInvariant() switch
        {
            null => fallback,
            "1" or "true" or "yes" or "on" => true,
            "0" or "false" or "no" or "off" => false,
            _ => throw new InvalidSettingException(name, value, "true or false"),
        };
    }
}
