using System;
using Xunit;

namespace NetGen.Generator.Tests.Package;

public sealed class VersionTests
{
    [Fact]
    public void The_version_written_into_generated_code_is_the_packages_version()
    {
        // Directory.Build.props sets the assembly and package version; generated files quote NetGenCompiler.Version.
        var assembly = typeof(NetGenCompiler).Assembly.GetName().Version!;
        Assert.Equal(Version.Parse(NetGenCompiler.Version), new Version(assembly.Major, assembly.Minor, assembly.Build));
    }
}
