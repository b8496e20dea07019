using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Propeller.Mqtt.Client;

/// <summary>The TLS side of one connect: the certificates read from the files of <see cref="MqttTlsOptions"/>, the
/// check of the broker's certificate, and why that check failed in words a user can act on (the exception SslStream
/// throws only says that the remote certificate was rejected).</summary>
internal sealed class TlsClientSession : IDisposable
{
    private readonly MqttTlsOptions _options;
    private readonly string _host;
    private readonly X509Certificate2Collection? _trustedCas;

    /// <summary>The client certificate (with its key) first, then the intermediates that followed it in its file.</summary>
    private readonly X509Certificate2Collection? _clientChain;

    private TlsClientSession(MqttTlsOptions options, string host, X509Certificate2Collection? trustedCas, X509Certificate2Collection? clientChain)
    {
        _options = options;
        _host = host;
        _trustedCas = trustedCas;
        _clientChain = clientChain;
    }

    /// <summary>Why the broker's certificate was refused; null while it was not.</summary>
    public string? Rejection { get; private set; }

    public bool HasClientCertificate => _clientChain is not null;

    /// <exception cref="InvalidDataException">A file cannot be read or does not hold what it should; the message names it.</exception>
    public static TlsClientSession Load(MqttTlsOptions options, string host)
    {
        X509Certificate2Collection? trustedCas = null;
        X509Certificate2Collection? clientChain = null;
        try
        {
            if (options.CaCertificateFile is { } caFile)
            {
                trustedCas = ReadCertificates(caFile, "CA certificate file");
            }

            if (options.ClientCertificateFile is { } certificateFile)
            {
                var keyFile = options.ClientKeyFile
                    ?? throw new InvalidDataException($"The client certificate file '{certificateFile}' is given without its private key file.");
                clientChain = ReadCertificates(certificateFile, "client certificate file");
                var withKey = ReadCertificateWithKey(certificateFile, keyFile);
                clientChain[0].Dispose();
                clientChain[0] = withKey;
            }
            else if (options.ClientKeyFile is { } keyFile)
            {
                throw new InvalidDataException($"The client key file '{keyFile}' is given without a client certificate file.");
            }

            return new TlsClientSession(options, host, trustedCas, clientChain);
        }
        catch
        {
            DisposeAll(trustedCas);
            DisposeAll(clientChain);
            throw;
        }
    }

    /// <summary>Runs the TLS handshake over <paramref name="transport"/>, which the returned stream then owns.</summary>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The handshake failed; when the broker's
    /// certificate was the reason, <see cref="Rejection"/> says why.</exception>
    public async Task<SslStream> AuthenticateAsync(Stream transport, CancellationToken cancellationToken)
    {
        var tls = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(BuildOptions(), cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose()
    {
        DisposeAll(_trustedCas);
        DisposeAll(_clientChain);
    }

    private static X509Certificate2Collection ReadCertificates(string path, string what)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            DisposeAll(certificates);
            throw new InvalidDataException($"Cannot read the {what} '{path}': {e.Message}", e);
        }

        if (certificates.Count == 0)
        {
            throw new InvalidDataException($"The {what} '{path}' holds no certificate (no PEM block '-----BEGIN CERTIFICATE-----').");
        }

        return certificates;
    }

    private static X509Certificate2 ReadCertificateWithKey(string certificateFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Cannot read the client key file '{keyFile}': {e.Message}", e);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidDataException(
                $"The client key file '{keyFile}' does not hold the unencrypted PEM private key of the certificate in '{certificateFile}': {e.Message}", e);
        }
    }

    private static void DisposeAll(X509Certificate2Collection? certificates)
    {
        foreach (var certificate in certificates ?? [])
        {
            certificate.Dispose();
        }
    }

    private static string DescribeChain(X509Chain? chain) => chain is null || chain.ChainStatus.Length == 0
        ? "no chain status"
        : string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));

    /// <summary>The names a server certificate is valid for: its subject alternative names, else its common name.</summary>
    private static string NamesOf(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == "2.5.29.17")
            {
                var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
            }
        }

        if (names.Count == 0)
        {
            names.Add(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }

        return string.Join(", ", names.Select(n => $"'{n}'"));
    }

    private SslClientAuthenticationOptions BuildOptions()
    {
        var options = new SslClientAuthenticationOptions
        {
            // Both the name check and SNI (sent for host names, not for IP addresses) use it.
            TargetHost = _host,
            RemoteCertificateValidationCallback = Validate,

            // Brokers' private CAs rarely publish revocation lists; checking would fail every such broker.
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (_trustedCas is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(_trustedCas);
            options.CertificateChainPolicy = policy;
        }

        if (_clientChain is not null)
        {
            options.ClientCertificateContext = SslStreamCertificateContext.Create(
                _clientChain[0], [.. _clientChain.Skip(1)], offline: true);
        }

        return options;
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        Rejection = Describe(certificate as X509Certificate2, chain, errors);
        return false;
    }

    private string Describe(X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the broker sent no certificate.";
        }

        var problems = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            problems.Add(DescribeChainProblem(certificate, chain));
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems.Add($"is for {NamesOf(certificate)}, not for '{_host}' (name mismatch): connect with one of those names in the broker "
                + $"address, or have the broker's certificate issued for '{_host}'");
        }

        return $"the broker's certificate ({certificate.Subject}, issued by {certificate.Issuer}) {string.Join("; and it ", problems)}.";
    }

    private string DescribeChainProblem(X509Certificate2 certificate, X509Chain? chain)
    {
        var status = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
        if ((status & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return _options.CaCertificateFile is { } caFile
                ? $"is not signed by the CA in '{caFile}' ({DescribeChain(chain)}): check that this file holds the CA that issued the broker's certificate"
                : $"is not signed by a CA this machine trusts ({DescribeChain(chain)}): if the broker has its own CA, give that CA's certificate as the CA certificate file";
        }

        if ((status & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            return $"is valid only from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u} ({DescribeChain(chain)}): "
                + "renew it (or check this machine's clock)";
        }

        return $"does not validate ({DescribeChain(chain)})";
    }
}
