namespace Propeller.Logging;

/// <summary>How log lines look: for people at a terminal, or one JSON object per line for collectors.</summary>
public enum LogFormat
{
    Text,
    Json,
}
