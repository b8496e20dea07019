using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Propeller.Core.Configuration;

/// <summary>The PEM files of MQTT over TLS: the CA that signed the broker's certificate (null: the machine's trusted
/// CAs) and an optional client certificate with its key. They are checked when the settings are read, so a wrong path,
/// a file without a certificate or a key that does not belong to its certificate stops the program at start, naming
/// the variable, instead of failing every connect attempt later.</summary>
public sealed record MqttTlsFiles(string? CaCertificate, string? ClientCertificate, string? ClientKey)
{
    /// <param name="address">The broker address as set; null when unset.</param>
    /// <param name="addressUsesTls">Whether that address asks for TLS (ssl://, tls://, mqtts://).</param>
    /// <returns>The files for a TLS address (all null: the machine's CAs, no client certificate); null for plain MQTT.</returns>
    /// <exception cref="InvalidSettingException">A file is unreadable or does not hold what it should, only one of
    /// certificate and key is set, verification is asked to be skipped, or TLS files go with a plain address.</exception>
    public static MqttTlsFiles? Read(Settings s, MqttTlsSettingNames names, string? address, bool addressUsesTls)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(names);
        var ca = CertificateFile(s, names.CaCertificate, "the certificate of the CA that signed the broker's certificate");
        var certificate = CertificateFile(s, names.ClientCertificate, "the client certificate");
        var key = s.Get(names.ClientKey);
        if (certificate is not null && key is null)
        {
            throw new InvalidSettingException(names.ClientKey, "", $"the PEM file with the private key of {names.ClientCertificate} ('{certificate}')");
        }

        if (key is not null && certificate is null)
        {
            throw new InvalidSettingException(names.ClientCertificate, "", $"the PEM file with the client certificate whose key {names.ClientKey} gives ('{key}')");
        }

        if (certificate is not null)
        {
            CheckKey(names, certificate, key!);
        }

        if (s.GetBool(false, names.InsecureSkipVerify))
        {
            throw new InvalidSettingException(names.InsecureSkipVerify, s.Get(names.InsecureSkipVerify)!,
                $"false or unset: the broker's certificate is always verified; give the CA that signed it in {names.CaCertificate} (a self-signed certificate is its own CA)");
        }

        if (addressUsesTls)
        {
            return new MqttTlsFiles(ca, certificate, key);
        }

        // Refused rather than ignored (upstream ignores them): whoever gives a CA or a client certificate expects an
        // encrypted, verified link, and a plain one would carry the MQTT password in clear text.
        if ((ca ?? certificate) is { } path)
        {
            var name = ca is not null ? names.CaCertificate : names.ClientCertificate;
            var plain = address is null ? $"{names.Address} is unset (plain MQTT)" : $"{names.Address}='{address}' is plain MQTT";
            throw new InvalidSettingException(name, path,
                $"a TLS broker address to go with it, but {plain}: write ssl://host:8883 to connect with TLS, or unset {name} to connect without");
        }

        return null;
    }

    private static string? CertificateFile(Settings s, string name, string what)
    {
        var path = s.Get(name);
        if (path is null)
        {
            return null;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidSettingException(name, path, $"a readable PEM file with {what} ({e.Message})");
        }

        var count = certificates.Count;
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }

        return count > 0 ? path : throw new InvalidSettingException(name, path, $"a PEM file with {what} (it holds no '-----BEGIN CERTIFICATE-----' block)");
    }

    private static void CheckKey(MqttTlsSettingNames names, string certificate, string key)
    {
        try
        {
            using var withKey = X509Certificate2.CreateFromPemFile(certificate, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidSettingException(names.ClientKey, key, $"a readable PEM file with the private key of {names.ClientCertificate} ({e.Message})");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidSettingException(names.ClientKey, key,
                $"the unencrypted PEM private key of the certificate in {names.ClientCertificate} ('{certificate}') ({e.Message})");
        }
    }
}
