using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Propeller.Testing;

/// <summary>A throwaway CA made in the test (self-signed, BasicConstraints CA) that issues server and client
/// certificates, all written as PEM files into a directory.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly string _directory;
    private readonly X509Certificate2 _certificate;

    private TestCertificateAuthority(string directory, X509Certificate2 certificate, string certificateFile)
    {
        _directory = directory;
        _certificate = certificate;
        CertificateFile = certificateFile;
    }

    /// <summary>The CA's certificate (PEM): what a client trusts.</summary>
    public string CertificateFile { get; }

    /// <param name="directory">Where the PEM files go (created if missing).</param>
    public static TestCertificateAuthority Create(string directory, string name = "Propeller Test CA")
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));
        var file = Path.Combine(directory, $"{FileName(name)}.pem");
        File.WriteAllText(file, certificate.ExportCertificatePem());
        return new TestCertificateAuthority(directory, certificate, file);
    }

    /// <summary>A broker certificate valid for <paramref name="names"/> (IP addresses or DNS names, as subject
    /// alternative names).</summary>
    public (string CertificateFile, string KeyFile) IssueServer(string fileName, params string[] names) =>
        Issue(fileName, names[0], ServerAuthentication, AlternativeNames(names), expired: false);

    /// <summary>A broker certificate like <see cref="IssueServer"/>'s whose validity ended 40 minutes ago (inside its CA's).</summary>
    public (string CertificateFile, string KeyFile) IssueExpiredServer(string fileName, params string[] names) =>
        Issue(fileName, names[0], ServerAuthentication, AlternativeNames(names), expired: true);

    /// <summary>A client certificate for mutual TLS.</summary>
    public (string CertificateFile, string KeyFile) IssueClient(string fileName, string commonName) =>
        Issue(fileName, commonName, ClientAuthentication, extraExtension: null, expired: false);

    public void Dispose() => _certificate.Dispose();

    private static string FileName(string name) => name.Replace(' ', '-').ToLowerInvariant();

    private static X509Extension AlternativeNames(string[] names)
    {
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                alternativeNames.AddIpAddress(ip);
            }
            else
            {
                alternativeNames.AddDnsName(name);
            }
        }

        return alternativeNames.Build();
    }

    private (string CertificateFile, string KeyFile) Issue(string fileName, string commonName, Oid usage, X509Extension? extraExtension, bool expired)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (extraExtension is not null)
        {
            request.CertificateExtensions.Add(extraExtension);
        }

        var now = DateTimeOffset.UtcNow;
        var (notBefore, notAfter) = expired ? (now.AddMinutes(-50), now.AddMinutes(-40)) : (now.AddMinutes(-30), now.AddDays(1));
        using var certificate = request.Create(_certificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        var certificateFile = Path.Combine(_directory, $"{fileName}.pem");
        var keyFile = Path.Combine(_directory, $"{fileName}.key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());

        // Readable by everyone: Mosquitto started as root (as in CI) switches to its own 'mosquitto' user before it reads
        // its key file, so an owner-only key made by root would be refused. These keys protect nothing.
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return (certificateFile, keyFile);
    }
}
