namespace Propeller.Core.Api;

/// <summary><c>POST /tasks/{id}/start</c> → <c>{"started":true}</c>.</summary>
public sealed record StartResponse(bool Started);

/// <summary><c>POST /tasks/{id}/stop</c> → <c>{"stopped":true}</c>.</summary>
public sealed record StopResponse(bool Stopped);

/// <summary><c>GET /tasks/{id}/results</c> → <c>{"results": ...}</c>.</summary>
public sealed record ResultsResponse(System.Text.Json.JsonElement? Results);
