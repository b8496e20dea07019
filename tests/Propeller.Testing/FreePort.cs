using System.Net;
using System.Net.Sockets;

namespace Propeller.Testing;

/// <summary>Free loopback TCP ports for servers a test starts itself.</summary>
public static class FreePort
{
    /// <summary>A port that was free on 127.0.0.1 a moment ago: the OS picked it for a socket we then closed. Another
    /// process could take it in between, so prefer asking a server for port 0 when it can report its real port.</summary>
    public static int Get()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
