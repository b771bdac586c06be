using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace NetGen.Generator.Tests.Package;

/// <summary>
/// The package as a user meets it: packed from this repository, referenced from a local folder feed
/// by a fresh project in a temporary folder (outside the repository, so none of its build files
/// apply), built with warnings as errors, and run.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ConsumerTests : IDisposable
{
    private const string Network = """
        # A residual network small enough to run in a test.
        network SmallNet(num_classes = 10)
          input 3x32x32
          stem:
            conv(16, k=3, p=1, bias=false)
            batchnorm
            relu
          block1: Basic(16)
          pool: adaptive_avgpool(1)
          flatten
          fc: linear(num_classes)

        block Basic(width)
          residual then relu
            conv1: conv(width, k=3, p=1, bias=false)
            bn1: batchnorm
            relu
            conv2: conv(width, k=3, p=1, bias=false)
            bn2: batchnorm
        """;

    // Its own namespace through item metadata; and an error that .globalconfig switches off.
    private const string Other = """
        network Other
          input 3x8x8
          conv(4, k=3)
          flatten
        network Broken
          input 3x8x8
          convolution(4)
        """;

    private const string Program = """
        using System;
        using TorchSharp;

        using var net = new Consumer.SmallNet();
        net.eval();
        using var output = net.call(torch.randn(2, 3, 32, 32));
        Console.WriteLine($"shape {string.Join('x', output.shape)}");
        Console.WriteLine($"parameters {Consumer.SmallNet.ParameterCount} {net.parameters().Sum(p => p.numel())}");
        Console.WriteLine($"other {typeof(Consumer.Special.Other).FullName}");
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-consumer-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly PackedFeed _feed;

    public ConsumerTests(PackedFeed feed) => _feed = feed;

    public void Dispose() => TemporaryFolder.Delete(_folder);

    [Fact]
    public async Task A_fresh_project_referencing_the_packed_package_builds_its_network_and_runs_a_forward_pass()
    {
        var app = Path.Combine(_folder, "app");
        Directory.CreateDirectory(Path.Combine(app, "Nets"));

        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RootNamespace>Consumer</RootNamespace>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <!-- Packages restore here; the machine's cache serves TorchSharp and libtorch in place. -->
                <RestorePackagesPath>{Path.Combine(_folder, "packages")}</RestorePackagesPath>
                <RestoreFallbackFolders>{PackedFeed.GlobalPackagesFolder}</RestoreFallbackFolders>
                <RestoreAdditionalProjectSources>{_feed.Packages}</RestoreAdditionalProjectSources>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NetGen" Version="{_feed.Version}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
              </ItemGroup>
              <ItemGroup>
                <AdditionalFiles Update="Nets/other.net.txt" NetGenNamespace="Consumer.Special" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Nets", "small.net.txt"), Network);
        File.WriteAllText(Path.Combine(app, "Nets", "other.net.txt"), Other);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        File.WriteAllText(Path.Combine(app, ".globalconfig"), "is_global = true\ndotnet_diagnostic.NG0101.severity = none\n");

        var build = await DotNet.RunAsync(app, "build", "-nologo");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain("NG0101", build.Output, StringComparison.Ordinal);

        var run = await DotNet.RunAsync(app, "run", "--no-build");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("shape 2x10", run.Output, StringComparison.Ordinal);
        Assert.Contains("other Consumer.Special.Other", run.Output, StringComparison.Ordinal);
        var counts = run.Output.Split('\n').Single(l => l.StartsWith("parameters ", StringComparison.Ordinal)).Split(' ');
        Assert.Equal(counts[1], counts[2].Trim());

        // NetGenEmitPython: the package's tool writes each file's PyTorch module and the runtime beside the build
        // output; the network whose error the configuration silenced is left out, as it is from the C#.
        var withPython = await DotNet.RunAsync(app, "build", "-nologo", "-p:NetGenEmitPython=true");
        Assert.True(withPython.ExitCode == 0, withPython.ToString());
        var python = Path.Combine(app, "bin", "Debug", "net10.0", "python");
        Assert.Contains("class SmallNet(nn.Module):", File.ReadAllText(Path.Combine(python, "small.py")), StringComparison.Ordinal);
        var other = File.ReadAllText(Path.Combine(python, "other.py"));
        Assert.Contains("class Other(nn.Module):", other, StringComparison.Ordinal);
        Assert.DoesNotContain("Broken", other, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(python, "netgen_torch.py")));

        // Without the configuration the same file is a located compiler error (a removed input does not
        // make MSBuild recompile, hence --no-incremental).
        File.Delete(Path.Combine(app, ".globalconfig"));
        var failing = await DotNet.RunAsync(app, "build", "-nologo", "--no-incremental");
        Assert.NotEqual(0, failing.ExitCode);
        Assert.Contains("other.net.txt(7,3): error NG0101", failing.Output, StringComparison.Ordinal);

        // An .editorconfig configures it too once it is marked global (its sections never reach .net.txt files).
        File.WriteAllText(Path.Combine(app, ".editorconfig"), "is_global = true\ndotnet_diagnostic.NG0101.severity = none\n");
        var configured = await DotNet.RunAsync(app, "build", "-nologo", "--no-incremental");
        Assert.True(configured.ExitCode == 0, configured.ToString());
    }
}
