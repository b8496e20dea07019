using Propeller.Testing;

namespace Propeller.Benchmarks.Tests;

public class BenchmarksDocumentTests
{
    private const string Document = """
        # Benchmarks
        Hand-written introduction.
        <!-- bench:mqtt:begin -->
        old figures
        | a | b |
        <!-- bench:mqtt:end -->
        Hand-written explanation of the MQTT figures.
        <!-- bench:scale:begin -->
        <!-- bench:scale:end -->
        The end.
        """;

    [Fact]
    public void Only_the_lines_between_the_groups_markers_are_replaced()
    {
        var rewritten = BenchmarksDocument.Replace(Document, "mqtt", "Commit `abc1234`\n\n| new | table |\n");

        Assert.Equal(
            """
            # Benchmarks
            Hand-written introduction.
            <!-- bench:mqtt:begin -->
            Commit `abc1234`

            | new | table |
            <!-- bench:mqtt:end -->
            Hand-written explanation of the MQTT figures.
            <!-- bench:scale:begin -->
            <!-- bench:scale:end -->
            The end.
            """,
            rewritten);
    }

    [Fact]
    public void An_empty_section_is_filled_and_rewriting_twice_gives_the_same_document()
    {
        var once = BenchmarksDocument.Replace(Document, "scale", "figures");
        var twice = BenchmarksDocument.Replace(once, "scale", "figures");

        Assert.Contains("<!-- bench:scale:begin -->\nfigures\n<!-- bench:scale:end -->", once, StringComparison.Ordinal);
        Assert.Equal(once, twice);
    }

    [Fact]
    public void Windows_line_endings_are_kept()
    {
        var rewritten = BenchmarksDocument.Replace(Document.ReplaceLineEndings("\r\n"), "scale", "one\ntwo");

        Assert.Contains("<!-- bench:scale:begin -->\r\none\r\ntwo\r\n<!-- bench:scale:end -->", rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n", rewritten.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_repeated_or_swapped_markers_are_refused_with_what_to_fix()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => BenchmarksDocument.Replace(Document, "footprint", "x"));
        Assert.Contains("<!-- bench:footprint:begin -->", missing.Message, StringComparison.Ordinal);

        var repeated = Document + "\n<!-- bench:mqtt:end -->";
        Assert.Contains("2 times", Assert.Throws<InvalidOperationException>(() => BenchmarksDocument.Replace(repeated, "mqtt", "x")).Message, StringComparison.Ordinal);

        var swapped = "<!-- bench:mqtt:end -->\n<!-- bench:mqtt:begin -->";
        Assert.Contains("comes before", Assert.Throws<InvalidOperationException>(() => BenchmarksDocument.Replace(swapped, "mqtt", "x")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_document_has_markers_for_every_group()
    {
        // A full `make bench` writes each group's figures between its markers; a missing pair would stop it at the end.
        var document = File.ReadAllText(Path.Combine(Repository.Root, "docs", "benchmarks.md"));

        foreach (var group in BenchGroup.All)
        {
            var rewritten = BenchmarksDocument.Replace(document, group.Name, "figures");
            Assert.Contains($"{BenchmarksDocument.BeginMarker(group.Name)}\nfigures\n{BenchmarksDocument.EndMarker(group.Name)}", rewritten, StringComparison.Ordinal);
        }
    }
}
