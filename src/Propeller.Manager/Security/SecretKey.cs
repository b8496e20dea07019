using System.Security.Cryptography;
using System.Text;

namespace Propeller.Manager.Security;

/// <summary>
/// Keys the manager hands out and how it recognises them later. Keys are 256 random bits, so a single
/// SHA-256 is enough to store them: a slow password hash protects guessable secrets, and these are not
/// guessable. Verifying stays cheap enough to do on every MQTT publish and REST request.
/// </summary>
public static class SecretKey
{
    /// <summary>API keys carry a prefix so that secret scanners and people recognise a leaked one.</summary>
    public const string ApiKeyPrefix = "prop_";

    private const string HashPrefix = "sha256:";

    public static string NewClientKey() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewApiKey() => ApiKeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool Matches(string key, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(key)), Encoding.ASCII.GetBytes(hash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
