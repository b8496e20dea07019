using Propeller.Core.Commands;
using Propeller.Core.Configuration;
using Propeller.Proplet.Runtimes;
using Propeller.Testing;
using Propeller.WasiNn;

namespace Propeller.Proplet.Tests;

/// <summary>
/// PROPLET_ALLOWED_DIRS against real directories and symbolic links: what a task may map with
/// <c>--dir</c> or load with <c>-S nn-graph</c>, what it is refused, and the words of the refusal.
/// </summary>
public sealed class AllowedDirectoriesTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _allowed;
    private readonly string _outside;

    public AllowedDirectoriesTests()
    {
        // Real paths: the expected texts below are what the proplet passes on, links resolved.
        var root = RealPath.Of(_directory.Path);
        _allowed = Directory.CreateDirectory(Path.Combine(root, "allowed")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
        Directory.CreateDirectory(Path.Combine(_allowed, "models"));
    }

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("--dir=ALLOWED/models::fixture")]
    [InlineData("--dir|ALLOWED/models::fixture")]
    [InlineData("--dir=ALLOWED/models/./::fixture")]
    [InlineData("--dir=ALLOWED/../allowed/models::fixture")]
    public void A_directory_inside_an_allowed_one_is_passed_on_as_its_real_path(string args)
    {
        var line = Confine(args.Replace("ALLOWED", _allowed, StringComparison.Ordinal).Split('|'));

        Assert.Equal([$"{_allowed}/models::fixture"], line.Dirs);
    }

    [Fact]
    public void A_directory_without_a_guest_name_keeps_the_name_the_task_gave()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(_allowed, "models"));

        Assert.Equal([$"{_allowed}/models::{relative}"], Confine($"--dir={relative}").Dirs);
        Assert.Equal([$"{_allowed}::{_allowed}"], Confine("--dir", _allowed).Dirs);
    }

    [Fact]
    public void A_directory_outside_is_refused_naming_it_the_setting_and_the_fix()
    {
        var error = Refused("--dir=/etc::etc");

        Assert.Equal($"--dir=/etc::etc: /etc is not inside PROPLET_ALLOWED_DIRS ({_allowed}); add it there or map a directory inside it", error);
    }

    [Fact]
    public void Dot_dot_cannot_climb_out()
    {
        var error = Refused($"--dir={_allowed}/../outside::x");

        Assert.StartsWith($"--dir={_allowed}/../outside::x: {_outside} is not inside PROPLET_ALLOWED_DIRS", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_that_only_starts_like_an_allowed_directory_is_outside_it()
    {
        var sibling = Directory.CreateDirectory(_allowed + "-evil").FullName;

        Assert.StartsWith($"--dir={sibling}::x: {sibling} is not inside", Refused($"--dir={sibling}::x"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_inside_that_leads_outside_is_refused_saying_where_it_leads()
    {
        var link = Path.Combine(_allowed, "escape");
        Directory.CreateSymbolicLink(link, _outside);

        Directory.CreateDirectory(Path.Combine(_outside, "sub"));

        Assert.StartsWith($"--dir={link}::x: {link} (which leads to {_outside}) is not inside PROPLET_ALLOWED_DIRS", Refused($"--dir={link}::x"), StringComparison.Ordinal);
        Assert.StartsWith($"--dir={link}/sub: {link}/sub (which leads to {_outside}/sub) is not inside", Refused($"--dir={link}/sub"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_symlink_that_climbs_out_is_refused()
    {
        var link = Path.Combine(_allowed, "models", "up");
        Directory.CreateSymbolicLink(link, "../../outside");

        Assert.StartsWith($"--dir={link}::x: {link} (which leads to {_outside})", Refused($"--dir={link}::x"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_that_stays_inside_is_allowed_and_resolved()
    {
        var link = Path.Combine(_allowed, "current");
        Directory.CreateSymbolicLink(link, "models");

        Assert.Equal([$"{_allowed}/models::fixture"], Confine($"--dir={link}::fixture").Dirs);
    }

    [Fact]
    public void An_allowed_directory_that_is_a_symlink_allows_what_lies_in_its_target()
    {
        var link = Path.Combine(RealPath.Of(_directory.Path), "allowed-link");
        Directory.CreateSymbolicLink(link, _allowed);
        var allowed = new AllowedDirectories([link], configured: true);

        Assert.Equal([$"{_allowed}/models::m"], allowed.Confine(WasmCommandLine.ParseCliArgs([$"--dir={link}/models::m"])).Dirs);
        Assert.Equal([$"{_allowed}/models::m"], allowed.Confine(WasmCommandLine.ParseCliArgs([$"--dir={_allowed}/models::m"])).Dirs);
    }

    [Fact]
    public void A_loop_of_symlinks_is_refused()
    {
        var a = Path.Combine(_allowed, "a");
        var b = Path.Combine(_allowed, "b");
        Directory.CreateSymbolicLink(a, b);
        Directory.CreateSymbolicLink(b, a);

        Assert.Equal($"--dir={a}::x: {a} goes through more than 40 symbolic links (a loop)", Refused($"--dir={a}::x"));
    }

    [Fact]
    public void Nn_graph_directories_are_held_to_the_same_rule_and_keep_their_name()
    {
        var inside = Confine($"-S", $"nn-graph=onnx::{_allowed}/models/");
        Assert.Equal([("onnx", $"{_allowed}/models")], inside.NnGraphs);

        var error = Refused("-S", $"nn-graph=onnx::{_outside}");
        Assert.Equal($"-S nn-graph=onnx::{_outside}: {_outside} is not inside PROPLET_ALLOWED_DIRS ({_allowed}); add it there or name a graph directory inside it", error);
    }

    [Fact]
    public void The_root_allows_every_directory()
    {
        var everything = new AllowedDirectories(["/"], configured: true);

        Assert.Equal(["/etc::etc"], everything.Confine(WasmCommandLine.ParseCliArgs(["--dir=/etc::etc"])).Dirs);
    }

    [Fact]
    public void Unset_it_allows_the_fixture_in_the_working_directory_and_the_preloaded_graphs_directories()
    {
        var options = Read(("PROPLET_NN_GRAPHS", $"onnx::{_allowed}/models/"));
        Assert.Null(options.AllowedDirs);

        var defaults = AllowedDirectories.For(options);

        Assert.Equal([Path.Combine(Environment.CurrentDirectory, "fixture"), $"{_allowed}/models"], defaults.Directories);
        Assert.Equal($"PROPLET_ALLOWED_DIRS (unset, so {Environment.CurrentDirectory}/fixture, {_allowed}/models)", defaults.Describe());
        Assert.Equal([$"{_allowed}/models::m"], defaults.Confine(WasmCommandLine.ParseCliArgs([$"--dir={_allowed}/models::m"])).Dirs);
        Assert.Contains("is not inside PROPLET_ALLOWED_DIRS (unset, so ", Refused(defaults, $"--dir={_allowed}::m"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_setting_is_a_comma_separated_list_made_absolute_against_the_working_directory()
    {
        var options = Read(("PROPLET_ALLOWED_DIRS", $" {_allowed}/ , models ,"));

        Assert.Equal([_allowed, Path.Combine(Environment.CurrentDirectory, "models")], options.AllowedDirs!);
        var error = Assert.Throws<InvalidSettingException>(() => Read(("PROPLET_ALLOWED_DIRS", " , ")));
        Assert.Equal("PROPLET_ALLOWED_DIRS", error.Name);
        Assert.Contains("a comma-separated list of host directories", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_without_directories_is_left_as_it_is()
    {
        var line = WasmCommandLine.ParseCliArgs(["-S", "nn", "--env", "A=b"]);

        Assert.Same(line, Allowed().Confine(line));
    }

    private AllowedDirectories Allowed() => new([_allowed], configured: true);

    private WasmCommandLine Confine(params string[] cliArgs) => Allowed().Confine(WasmCommandLine.ParseCliArgs(cliArgs));

    private string Refused(params string[] cliArgs) => Refused(Allowed(), cliArgs);

    private static string Refused(AllowedDirectories allowed, params string[] cliArgs) =>
        Assert.Throws<WasmCommandLineException>(() => allowed.Confine(WasmCommandLine.ParseCliArgs(cliArgs))).Message;

    private static PropletOptions Read(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value);
        return PropletOptions.FromSettings(new Settings(name => values.GetValueOrDefault(name)));
    }
}
