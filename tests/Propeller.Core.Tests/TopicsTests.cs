using Propeller.Core.Messaging;

namespace Propeller.Core.Tests;

public class TopicsTests
{
    [Fact]
    public void Topic_names_are_upstreams()
    {
        var topics = new Topics("d1", "c1");
        Assert.Equal("m/d1/c/c1/control/manager/start", topics.ManagerStart);
        Assert.Equal("m/d1/c/c1/control/manager/stop", topics.ManagerStop);
        Assert.Equal("m/d1/c/c1/control/proplet/create", topics.PropletCreate);
        Assert.Equal("m/d1/c/c1/control/proplet/alive", topics.PropletAlive);
        Assert.Equal("m/d1/c/c1/control/proplet/results", topics.PropletResults);
        Assert.Equal("m/d1/c/c1/control/proplet/+", topics.PropletAll);
        Assert.Equal("m/d1/c/c1/control/manager/+", topics.ManagerAll);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("x#")]
    [InlineData("")]
    public void Ids_that_would_break_a_topic_are_refused(string id)
    {
        Assert.Throws<ArgumentException>(() => new Topics(id, "c"));
        Assert.Throws<ArgumentException>(() => new Topics("d", id));
    }
}
