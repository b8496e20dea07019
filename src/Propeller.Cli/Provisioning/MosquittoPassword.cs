using System.Security.Cryptography;
using System.Text;

namespace Propeller.Cli.Provisioning;

/// <summary>
/// A line of a Mosquitto 2 password file in its own format: <c>user:$7$ITERATIONS$SALT$HASH</c>, where HASH is
/// PBKDF2-HMAC-SHA512 of the password over a 12-byte salt, 64 bytes, both in base64 (what mosquitto_passwd writes).
/// </summary>
public static class MosquittoPassword
{
    /// <summary>mosquitto_passwd's default; the keys are 256 random bits, so the count only has to satisfy Mosquitto.</summary>
    public const int Iterations = 101;

    public static string Line(string username, string password)
    {
        ArgumentNullException.ThrowIfNull(username);
        if (username.Contains(':', StringComparison.Ordinal) || username.Any(char.IsControl))
        {
            throw new ArgumentException($"'{username}' cannot be a Mosquitto username (':' or control characters)", nameof(username));
        }

        var salt = RandomNumberGenerator.GetBytes(12);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, 64);
        return $"{username}:$7${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }
}
