using System.Net;

namespace Propeller.Mqtt;

/// <summary>What a client presented in its CONNECT, handed to the broker's authentication and authorization hooks.</summary>
public sealed record MqttConnectRequest(string ClientId, string? Username, string? Password, EndPoint? RemoteEndPoint);
