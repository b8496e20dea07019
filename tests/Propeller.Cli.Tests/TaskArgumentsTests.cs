using System.Text.Json;

namespace Propeller.Cli.Tests;

/// <summary>How option text becomes task fields (no processes: pure functions).</summary>
public sealed class TaskArgumentsTests
{
    [Fact]
    public void Cli_args_are_split_on_commas_and_nothing_is_dropped()
    {
        Assert.Equal(["-S", "nn", "--dir=/home/proplet/fixture::fixture"], TaskArguments.SplitList(["-S,nn,--dir=/home/proplet/fixture::fixture"]));
        Assert.Equal(["a", "", "b", "c"], TaskArguments.SplitList(["a,,b", "c"]));
    }

    [Theory]
    [InlineData("1", JsonValueKind.Number, "1")]
    [InlineData("-2.5", JsonValueKind.Number, "-2.5")]
    [InlineData("1e3", JsonValueKind.Number, "1e3")]
    [InlineData("01", JsonValueKind.String, "\"01\"")]
    [InlineData("NaN", JsonValueKind.String, "\"NaN\"")]
    [InlineData("1.", JsonValueKind.String, "\"1.\"")]
    [InlineData(" 1", JsonValueKind.String, "\" 1\"")]
    [InlineData("a.txt", JsonValueKind.String, "\"a.txt\"")]
    public void Inputs_are_numbers_when_written_as_json_numbers(string text, JsonValueKind kind, string json)
    {
        var input = TaskArguments.Input(text);

        Assert.Equal(kind, input.ValueKind);
        Assert.Equal(json, input.GetRawText());
    }

    [Fact]
    public void An_empty_inputs_value_is_the_empty_list()
    {
        Assert.Empty(TaskArguments.ParseInputs([""]));
        Assert.Equal(2, TaskArguments.ParseInputs(["1,2"]).Count);
    }

    [Fact]
    public void Env_pairs_split_at_the_first_equals_and_the_last_one_wins()
    {
        var env = TaskArguments.ParseEnv(["A=1", "B=x=y", "A=2", "EMPTY="]);

        Assert.Equal("2", env["A"]);
        Assert.Equal("x=y", env["B"]);
        Assert.Equal("", env["EMPTY"]);
    }

    [Theory]
    [InlineData("http://localhost:7070", "http://localhost:7070/")]
    [InlineData("localhost:7070", "http://localhost:7070/")]
    [InlineData("https://propeller.example/api", "https://propeller.example/api")]
    public void Manager_urls_are_http_with_host_and_port_or_host_port(string text, string expected)
    {
        Assert.Equal(expected, GlobalOptions.ParseManagerUrl(text)?.ToString());
    }

    [Theory]
    [InlineData("ftp://example.org")]
    [InlineData("http://")]
    [InlineData("http://host/?q=1")]
    public void Other_urls_are_refused(string text)
    {
        Assert.Null(GlobalOptions.ParseManagerUrl(text));
    }
}
