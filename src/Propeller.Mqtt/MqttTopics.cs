using System.Text;

namespace Propeller.Mqtt;

/// <summary>Topic name and filter rules of MQTT 3.1.1 section 4.7.</summary>
public static class MqttTopics
{
    /// <summary>Both names and filters are UTF-8 strings with a 16-bit length prefix (section 1.5.3).</summary>
    private const int MaxUtf8Length = 65535;

    /// <summary>A name a message can be published to: non-empty, no wildcards, no U+0000, at most 65535 UTF-8 bytes.</summary>
    public static bool IsValidTopicName(string topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.AsSpan().IndexOfAny('+', '#', '\0') >= 0)
        {
            return false;
        }

        return FitsLength(topic);
    }

    /// <summary>A filter a client can subscribe to: '+' fills a whole level, '#' fills a whole last level.</summary>
    public static bool IsValidTopicFilter(string filter)
    {
        if (string.IsNullOrEmpty(filter) || filter.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c is not '+' and not '#')
            {
                continue;
            }

            var startsLevel = i == 0 || filter[i - 1] == '/';
            var endsLevel = i == filter.Length - 1 || filter[i + 1] == '/';
            if (!startsLevel || !endsLevel || (c == '#' && i != filter.Length - 1))
            {
                return false;
            }
        }

        return FitsLength(filter);
    }

    /// <summary>Whether a published topic name matches a subscription filter. Names starting with '$' are not matched
    /// by filters starting with a wildcard [MQTT-4.7.2-1].</summary>
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);
        if (filter.Length == 0 || topic.Length == 0)
        {
            return false;
        }

        if (topic[0] == '$' && filter[0] is '+' or '#')
        {
            return false;
        }

        var f = filter.AsSpan();
        var t = topic.AsSpan();
        while (true)
        {
            var fSlash = f.IndexOf('/');
            var fLevel = fSlash < 0 ? f : f[..fSlash];
            if (fLevel.SequenceEqual("#"))
            {
                // '#' also matches the parent level itself: "sport/#" matches "sport".
                return true;
            }

            var tSlash = t.IndexOf('/');
            var tLevel = tSlash < 0 ? t : t[..tSlash];
            if (!fLevel.SequenceEqual("+") && !fLevel.SequenceEqual(tLevel))
            {
                return false;
            }

            if (fSlash < 0 || tSlash < 0)
            {
                if (fSlash < 0 && tSlash < 0)
                {
                    return true;
                }

                // The topic ran out first; only a trailing "/#" can still match it.
                return tSlash < 0 && f[(fSlash + 1)..].SequenceEqual("#");
            }

            f = f[(fSlash + 1)..];
            t = t[(tSlash + 1)..];
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Lone surrogates cannot be encoded as well-formed UTF-8 [MQTT-1.5.3-1], so they make a topic invalid too.</summary>
    private static bool FitsLength(string value)
    {
        try
        {
            return StrictUtf8.GetByteCount(value) <= MaxUtf8Length;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
