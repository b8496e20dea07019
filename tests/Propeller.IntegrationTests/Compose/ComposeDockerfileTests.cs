using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Compose;

/// <summary>
/// docker/Dockerfile.manager and docker/Dockerfile.proplet read statically (no Docker engine here): the mistakes that
/// would only show in a build or at container start — a COPY of a missing or ignored path, an entrypoint the build
/// does not produce, a runtime compose names but the image lacks, the seeds' paths misspelled, a variable no program reads.
/// </summary>
public sealed class ComposeDockerfileTests
{
    private const string SeedsWasmtimeUrl = "https://github.com/bytecodealliance/wasmtime/releases/download/v39.0.1/wasmtime-v39.0.1-x86_64-linux.tar.xz";
    private const string SeedsOpenVinoDirectory = "/opt/intel/openvino_2025";
    private const string SeedsOpenVinoLibraries = "/opt/intel/openvino_2025/runtime/lib/intel64";

    [Theory]
    [InlineData("Dockerfile.manager")]
    [InlineData("Dockerfile.proplet")]
    public void Every_COPY_source_is_in_the_build_context(string dockerfile)
    {
        var ignore = new DockerIgnore(Path.Combine(Repository.Root, ".dockerignore"));
        var sources = Dockerfile.Load(dockerfile).Stages
            .SelectMany(s => s.Instructions)
            .Where(i => i.Keyword is "COPY" or "ADD" && i.Flag("from") is null)
            .SelectMany(i => i.Words.SkipLast(1))
            .ToList();

        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var path = Path.Combine(Repository.Root, source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{dockerfile} copies {source}, which is not in the repository (the build context is its root)");
            Assert.False(ignore.Excludes(source), $"{dockerfile} copies {source}, which .dockerignore leaves out of the build context");
        }
    }

    [Fact]
    public void The_dockerignore_keeps_local_builds_and_caches_out_of_the_context()
    {
        var ignore = new DockerIgnore(Path.Combine(Repository.Root, ".dockerignore"));

        // A restored obj/ from the host would break the image's own restore; .cache and build/ are hundreds of MB.
        foreach (var path in new[] { "src/Propeller.Manager/obj/project.assets.json", "src/Propeller.Proplet/bin/Release", ".cache/downloads", "build/propeller-manager", ".git" })
        {
            Assert.True(ignore.Excludes(path), $".dockerignore sends {path} to the builder");
        }

        Assert.False(ignore.Excludes("src/Propeller.Manager/Program.cs"));
    }

    [Theory]
    [InlineData("Dockerfile.manager")]
    [InlineData("Dockerfile.proplet")]
    public void The_entrypoint_is_an_executable_the_build_publishes(string dockerfile)
    {
        var image = Dockerfile.Load(dockerfile);
        var published = image.PublishedExecutables();

        Assert.Contains(image.Entrypoint[0], published);
    }

    [Theory]
    [InlineData("Dockerfile.manager", "manager")]
    [InlineData("Dockerfile.proplet", "proplet")]
    public void The_image_sets_only_variables_its_program_reads(string dockerfile, string service)
    {
        var names = Dockerfile.Load(dockerfile).Final.Environment.Keys.Where(n => n.StartsWith("MANAGER_", StringComparison.Ordinal) || n.StartsWith("PROPLET_", StringComparison.Ordinal));

        ProgramSettings.AssertAllRead(ProgramSettings.ForService(service), names, dockerfile);
    }

    [Theory]
    [InlineData("Dockerfile.manager")]
    [InlineData("Dockerfile.proplet")]
    public void The_image_runs_as_a_user_other_than_root(string dockerfile)
    {
        var user = Dockerfile.Load(dockerfile).Final.All("USER").LastOrDefault()?.Arguments;

        Assert.NotNull(user);
        Assert.DoesNotMatch("^(root|0)(:.*)?$", user);
    }

    [Theory]
    [InlineData("Dockerfile.manager")]
    [InlineData("Dockerfile.proplet")]
    public void The_dotnet_images_are_pinned_to_the_versions_the_repository_builds_with(string dockerfile)
    {
        // global.json's SDK band and the projects' target framework decide which .NET the images need.
        var sdk = Regex.Match(File.ReadAllText(Path.Combine(Repository.Root, "global.json")), "\"version\": \"(\\d+\\.\\d+)\\.").Groups[1].Value;
        var framework = Regex.Match(File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props")), "<TargetFramework>net(\\d+\\.\\d+)</TargetFramework>").Groups[1].Value;

        foreach (var stage in Dockerfile.Load(dockerfile).Stages)
        {
            var match = Regex.Match(stage.Image, @"^mcr\.microsoft\.com/dotnet/(?<kind>sdk|aspnet|runtime):(?<version>\d+\.\d+)\.\d+-\w+$");
            Assert.True(match.Success, $"{dockerfile}: FROM {stage.Image} is not a .NET image with a full version");
            Assert.Equal(match.Groups["kind"].Value == "sdk" ? sdk : framework, match.Groups["version"].Value);
        }
    }

    [Theory]
    [InlineData("Dockerfile.manager", "src/Propeller.Manager/Propeller.Manager.csproj")]
    [InlineData("Dockerfile.proplet", "src/Propeller.Proplet/Propeller.Proplet.csproj")]
    public void The_image_that_runs_an_app_has_the_frameworks_it_needs(string dockerfile, string project)
    {
        // An app on ASP.NET Core (the manager's API, the proplet's /metrics) does not start on the plain runtime image.
        var csproj = File.ReadAllText(Path.Combine(Repository.Root, project));
        var needsAspNet = csproj.Contains("Sdk=\"Microsoft.NET.Sdk.Web\"", StringComparison.Ordinal)
            || csproj.Contains("<FrameworkReference Include=\"Microsoft.AspNetCore.App\"", StringComparison.Ordinal);

        var final = Dockerfile.Load(dockerfile).Final.Image;

        Assert.True(!needsAspNet || final.Contains("/dotnet/aspnet:", StringComparison.Ordinal), $"{project} needs ASP.NET Core, but {dockerfile} runs it on {final}");
    }

    [Fact]
    public async Task The_proplet_image_has_on_PATH_the_runtime_compose_names()
    {
        var config = await ComposeConfig.LoadAsync();
        var runtime = config.Service("proplet").Environment["PROPLET_EXTERNAL_WASM_RUNTIME"];
        var image = Dockerfile.Load("Dockerfile.proplet");
        var onPath = image.OnPath();

        Assert.Equal("wasmtime", runtime);
        Assert.True(onPath.ContainsKey($"/usr/local/bin/{runtime}"), $"compose runs tasks with {runtime}, which the image does not put in /usr/local/bin: {string.Join(", ", onPath.Keys)}");
        // The alternative docker/.env offers: a link to the published propeller-wasm.
        Assert.Contains(onPath["/usr/local/bin/propeller-wasm"], image.PublishedExecutables());
    }

    [Fact]
    public void The_proplet_image_installs_wasmtime_and_OpenVINO_as_the_seeds_describe()
    {
        var image = Dockerfile.Load("Dockerfile.proplet");
        var downloads = string.Join(" && ", image.Stages.SelectMany(s => s.All("RUN")).Select(r => r.Arguments));

        Assert.Contains(SeedsWasmtimeUrl, downloads, StringComparison.Ordinal);
        // The seeds: curl -L https://storage.openvinotoolkit.org/.../openvino_toolkit_ubuntu24_2025.4.0.*.tgz
        Assert.Matches(@"https://storage\.openvinotoolkit\.org/\S+/openvino_toolkit_ubuntu24_2025\.4\.0\.[^/\s]+_x86_64\.tgz", downloads);
        Assert.Equal(2, Regex.Matches(downloads, @"sha256sum -c").Count);
        Assert.Contains($"-C {SeedsOpenVinoDirectory}", downloads, StringComparison.Ordinal);

        Assert.Contains(image.Final.All("COPY"), c => c.Words[^1] == SeedsOpenVinoDirectory);
        Assert.Contains(image.Final.All("COPY"), c => c.Words[^1] == "/usr/local/bin/wasmtime");
        Assert.Equal(SeedsOpenVinoLibraries, image.Final.Environment["LD_LIBRARY_PATH"].Split(':')[0]);
    }
}
