namespace Propeller.Core.Configuration;

/// <summary>
/// Reads configuration by its environment names. Upstream has two generations of names (legacy
/// <c>*_DOMAIN_ID/_CLIENT_ID/_CLIENT_KEY</c>, current <c>*_TENANT_ID/_ENTITY_ID/_API_KEY</c>); every
/// setting is looked up under each of its names in order, and the first non-empty value wins. The
/// environment wins over the config file: a variable set (non-empty) under any of its names hides the file's
/// value; an empty one counts as unset, as everywhere else.
/// </summary>
public sealed class Settings(Func<string, string?> lookup, ConfigFile? file = null)
{
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);

    public static Settings FromEnvironment() => new(Environment.GetEnvironmentVariable);

    /// <summary>The environment, over the <paramref name="section"/> of the config file named by <paramref name="pathVariable"/> (default ./config.toml).</summary>
    public static Settings FromEnvironmentAndFile(string pathVariable, string section, string prefix) =>
        new(Environment.GetEnvironmentVariable, ConfigFile.Load(Environment.GetEnvironmentVariable, pathVariable, "config.toml", section, prefix));

    public ConfigFile? File => file;

    /// <summary>The first non-empty value among <paramref name="names"/>, and where it came from (the variable, or the file's line).</summary>
    public (string? Value, string Name) Find(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _asked.UnionWith(names);
        foreach (var name in names)
        {
            var value = lookup(name);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), name);
            }
        }

        foreach (var name in names)
        {
            if (file is not null && file.TryGet(name, out var value, out var where) && !string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), where);
            }
        }

        return (null, names[0]);
    }

    /// <summary>
    /// Call once every setting was read: a key of the config file that no setting asked for is a typo or belongs
    /// to another program, and ignoring it would leave the user believing it applies.
    /// </summary>
    public void RejectUnknownFileKeys()
    {
        if (file is null)
        {
            return;
        }

        foreach (var (variable, where) in file.Variables)
        {
            if (!_asked.Contains(variable))
            {
                throw InvalidSettingException.UnknownKey(where, variable);
            }
        }
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
