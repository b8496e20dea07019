namespace Propeller.Manager;

/// <summary>
/// A request the manager refuses, with the HTTP status and a message that says what to do. Thrown
/// by the services, turned into <c>{"error": …}</c> in one place (<see cref="Api.ErrorHandling"/>).
/// </summary>
public sealed class ApiError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ApiError BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ApiError NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    public static ApiError Conflict(string message) => new(StatusCodes.Status409Conflict, message);

    public static ApiError TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, message);

    public static ApiError Unavailable(string message) => new(StatusCodes.Status503ServiceUnavailable, message);
}
