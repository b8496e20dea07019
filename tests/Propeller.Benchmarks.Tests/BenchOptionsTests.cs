namespace Propeller.Benchmarks.Tests;

public class BenchOptionsTests
{
    [Fact]
    public void No_arguments_run_every_group_and_write_the_docs()
    {
        var options = BenchOptions.Parse([]);

        Assert.Equal(BenchGroup.All.Select(g => g.Name), options.Groups.Select(g => g.Name));
        Assert.False(options.Quick);
        Assert.True(options.WriteDocs);
    }

    [Fact]
    public void Quick_leaves_out_the_micro_group_and_the_docs()
    {
        var options = BenchOptions.Parse(["--quick"]);

        Assert.DoesNotContain("micro", options.Groups.Select(g => g.Name));
        Assert.Contains("scale", options.Groups.Select(g => g.Name));
        Assert.True(options.Quick);
        Assert.False(options.WriteDocs);
    }

    [Fact]
    public void Named_groups_run_alone_in_the_order_given_and_no_docs_keeps_the_docs()
    {
        var options = BenchOptions.Parse(["mqtt", "--no-docs", "micro", "mqtt"]);

        Assert.Equal(["mqtt", "micro"], options.Groups.Select(g => g.Name));
        Assert.False(options.WriteDocs);
    }

    [Fact]
    public void An_unknown_group_is_refused_with_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["sclae"]));

        Assert.Contains("'sclae'", error.Message, StringComparison.Ordinal);
        Assert.Contains("scale", error.Message, StringComparison.Ordinal);
    }
}
