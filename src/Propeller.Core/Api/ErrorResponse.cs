namespace Propeller.Core.Api;

/// <summary>Every REST error body: <c>{"error": "..."}</c>, as upstream.</summary>
public sealed record ErrorResponse(string Error);
