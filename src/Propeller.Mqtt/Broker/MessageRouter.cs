namespace Propeller.Mqtt.Broker;

/// <summary>Takes a published message to every matching session: updates the retained store, then delivers once per
/// session at min(message QoS, highest granted QoS). With overlapping subscriptions 3.1.1 allows one or several
/// copies (section 3.3.5); we send one.</summary>
internal sealed class MessageRouter
{
    private readonly SubscriptionTable _subscriptions;
    private readonly RetainedMessageStore _retained;

    public MessageRouter(SubscriptionTable subscriptions, RetainedMessageStore retained)
    {
        _subscriptions = subscriptions;
        _retained = retained;
    }

    public void Publish(MqttApplicationMessage message, DeliveryBatch batch)
    {
        if (message.Retain)
        {
            _retained.Store(message);
        }

        var recipients = batch.Recipients;
        recipients.Clear();
        _subscriptions.Match(message.Topic, recipients);
        foreach (var (session, granted) in recipients)
        {
            var qos = message.Qos < granted ? message.Qos : granted;

            // Live deliveries carry RETAIN=0 whatever the publisher set [MQTT-3.3.1-9].
            session.Deliver(message, qos, retain: false, batch);
        }

        recipients.Clear();
    }
}
