namespace Propeller.Mqtt.Tests;

public class TopicTests
{
    [Theory]
    // Examples of MQTT 3.1.1 section 4.7.1.2 (multi-level wildcard).
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player2", false)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("#", "sport/tennis", true)]
    [InlineData("#", "/", true)]
    // Section 4.7.1.3 (single-level wildcard).
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player2", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("+/tennis/#", "sport/tennis/player1", true)]
    // Section 4.7.2: '$' topics and leading wildcards.
    [InlineData("#", "$SYS/broker/clients", false)]
    [InlineData("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [InlineData("$SYS/#", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/#", "$SYS", true)]
    // Levels compare exactly, case-sensitively.
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "A/b", false)]
    [InlineData("a/b", "a/b/", false)]
    [InlineData("a//b", "a//b", true)]
    [InlineData("a/+/b", "a//b", true)]
    public void Filters_match_topics_as_the_spec_examples_say(string filter, string topic, bool matches) =>
        Assert.Equal(matches, MqttTopics.Matches(filter, topic));

    [Theory]
    [InlineData("#", true)]
    [InlineData("+", true)]
    [InlineData("sport/#", true)]
    [InlineData("sport/tennis/#", true)]
    [InlineData("+/tennis/#", true)]
    [InlineData("sport/+/player1", true)]
    [InlineData("/", true)]
    [InlineData("$SYS/#", true)]
    [InlineData("", false)]
    [InlineData("sport/tennis#", false)]
    [InlineData("sport/tennis/#/ranking", false)]
    [InlineData("sport+", false)]
    [InlineData("sport/+x", false)]
    [InlineData("##", false)]
    [InlineData("a\0b", false)]
    public void Topic_filters_are_validated(string filter, bool valid) =>
        Assert.Equal(valid, MqttTopics.IsValidTopicFilter(filter));

    [Theory]
    [InlineData("sport/tennis", true)]
    [InlineData("/", true)]
    [InlineData("$SYS/x", true)]
    [InlineData("ü/漢字", true)]
    [InlineData("", false)]
    [InlineData("sport/+", false)]
    [InlineData("sport/#", false)]
    [InlineData("a\0b", false)]
    public void Topic_names_are_validated(string topic, bool valid) =>
        Assert.Equal(valid, MqttTopics.IsValidTopicName(topic));

    [Fact]
    public void Lone_surrogates_are_not_valid_utf8_topics()
    {
        // Built at run time: attribute strings cannot carry an unpaired surrogate.
        var lone = "a/" + (char)0xD800;
        Assert.False(MqttTopics.IsValidTopicName(lone));
        Assert.False(MqttTopics.IsValidTopicFilter(lone));
    }

    [Fact]
    public void Topics_longer_than_65535_utf8_bytes_are_invalid()
    {
        Assert.True(MqttTopics.IsValidTopicName(new string('a', 65535)));
        Assert.False(MqttTopics.IsValidTopicName(new string('a', 65536)));
        Assert.False(MqttTopics.IsValidTopicName(new string('é', 40000)));
        Assert.False(MqttTopics.IsValidTopicFilter(new string('a', 65536)));
    }
}
