namespace Propeller.Sdk;

/// <summary>
/// The manager could not be reached at all (connection refused, unknown host, no answer in time):
/// nothing was received from it. Derives from <see cref="PropellerApiException"/> with a null
/// <see cref="PropellerApiException.StatusCode"/>, so one <c>catch</c> covers every failure of a call.
/// </summary>
public class PropellerConnectionException : PropellerApiException
{
    public PropellerConnectionException()
        : this("cannot reach the manager: is it running? (make run)")
    {
    }

    public PropellerConnectionException(string message)
        : base(message)
    {
    }

    public PropellerConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PropellerConnectionException(Uri managerUrl, Exception? innerException)
        : base(Describe(managerUrl, innerException), innerException ?? new HttpRequestException())
    {
        ManagerUrl = managerUrl;
    }

    /// <summary>The address that could not be reached.</summary>
    public Uri? ManagerUrl { get; }

    private static string Describe(Uri managerUrl, Exception? innerException)
    {
        var url = managerUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return innerException is TimeoutException or TaskCanceledException
            ? $"the manager at {url} did not answer in time: is it running and reachable? (make run)"
            : $"cannot reach the manager at {url}: is it running? (make run)";
    }
}
