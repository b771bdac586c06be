using System;
using System.IO;
using System.Threading.Tasks;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests.Package;

/// <summary>
/// Both packages, packed once from this repository into <c>{Root}/artifacts/packages</c> of a temporary
/// folder laid out like a packed clone, with a stable version of their own: a stable one, so
/// <c>dotnet add package</c> and <c>dotnet tool install</c> take it without a version, and one no earlier
/// run used, so no cached package can stand in for it. The tests that use it share one collection:
/// packing twice at once would race over the same build outputs.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "netgen-feed-" + Guid.NewGuid().ToString("N")[..8]);

    public string Packages => Path.Combine(Root, "artifacts", "packages");

    /// <summary>0.1.0.N, N the seconds since 2026 (a fourth part NuGet accepts, below 2^31 until 2094).</summary>
    public string Version { get; } = "0.1.0." + (long)(DateTime.UtcNow - new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;

    /// <summary>This machine's NuGet package folder: the fresh projects' fallback, so TorchSharp and libtorch are not fetched again.</summary>
    public static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public async Task InitializeAsync()
    {
        var runtime = await DotNet.RunAsync(Repository.Root, "pack", "src/NetGen/NetGen.csproj", "-c", "Release", "-o", Packages, "-p:PackageVersion=" + Version);
        Assert.True(runtime.ExitCode == 0, runtime.ToString());

        // Packing NetGen built the tool in Release already.
        var tool = await DotNet.RunAsync(Repository.Root, "pack", "src/NetGen.Tool/NetGen.Tool.csproj", "-c", "Release", "--no-build", "-o", Packages, "-p:PackageVersion=" + Version);
        Assert.True(tool.ExitCode == 0, tool.ToString());
    }

    public Task DisposeAsync()
    {
        TemporaryFolder.Delete(Root);
        return Task.CompletedTask;
    }
}

/// <summary>The tests that build projects from <see cref="PackedFeed"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "packed feed";
}

/// <summary>Removes a test's temporary folder, best effort: a leftover is not a test failure.</summary>
public static class TemporaryFolder
{
    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
