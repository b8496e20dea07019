using System.Net;

namespace Propeller.Sdk;

/// <summary>
/// The manager answered with a status other than 2xx. <see cref="Exception.Message"/> is the
/// manager's own <c>error</c> text (or, when the body is not <c>{"error": "…"}</c>, the start of the body).
/// </summary>
public class PropellerApiException : Exception
{
    public PropellerApiException()
        : this("the manager refused the request")
    {
    }

    public PropellerApiException(string message)
        : base(message)
    {
    }

    public PropellerApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PropellerApiException(HttpStatusCode statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status the manager answered with.</summary>
    public HttpStatusCode? StatusCode { get; }
}
