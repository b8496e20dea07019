using System.Threading.Channels;

namespace Propeller.Mqtt.Tests.Support;

/// <summary>A message handler that queues what it receives so a test can await each message in turn.</summary>
internal sealed class MessageCollector
{
    private readonly Channel<MqttApplicationMessage> _messages = Channel.CreateUnbounded<MqttApplicationMessage>();

    public Func<MqttApplicationMessage, CancellationToken, Task> Handler => (message, _) =>
    {
        _messages.Writer.TryWrite(message);
        return Task.CompletedTask;
    };

    public async Task<MqttApplicationMessage> NextAsync(string? what = null)
    {
        try
        {
            return await _messages.Reader.ReadAsync(Guard.Token());
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"No message ({what ?? "any"}) arrived within {Guard.Timeout.TotalSeconds} s.", ex);
        }
    }

    public async Task<List<MqttApplicationMessage>> TakeAsync(int count)
    {
        var list = new List<MqttApplicationMessage>();
        for (var i = 0; i < count; i++)
        {
            list.Add(await NextAsync($"message {i + 1} of {count}"));
        }

        return list;
    }

    public bool TryTake(out MqttApplicationMessage? message) => _messages.Reader.TryRead(out message);
}
