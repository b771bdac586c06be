using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Tests.Support;
using NetGen.Tool;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary><c>netgen explain</c>: docs/diagnostics.md, embedded in the tool, cut into one entry per ID.</summary>
public class ExplainCommandTests
{
    public static IEnumerable<object[]> Codes() => DiagnosticDescriptors.Every.Select(d => new object[] { d.Id });

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_descriptor_has_an_entry_that_explain_finds(string id)
    {
        var descriptor = DiagnosticDescriptors.ById(id);

        var result = ToolRunner.Run("explain", id);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.StartsWith($"{id}: {descriptor.Title}\n\n**Cause.**", result.Output);
        Assert.Contains("**Fix.**", result.Output);
        // One entry only: the next heading and its anchor are not part of it.
        Assert.DoesNotContain("\n## ", result.Output);
        Assert.DoesNotContain("<a id=", result.Output);
    }

    [Fact]
    public void The_embedded_reference_is_the_repository_file()
    {
        var repository = DiagnosticsReference.Parse(File.ReadAllText(Path.Combine(Repository.Root, "docs", "diagnostics.md")));

        Assert.Equal(repository, DiagnosticsReference.Entries);
        Assert.Equal(DiagnosticDescriptors.Every.Select(d => d.Id), DiagnosticsReference.Entries.Select(e => e.Id));
    }

    [Fact]
    public void Explain_NG0201_prints_the_entry_from_its_heading_to_the_next()
    {
        var result = ToolRunner.Run("explain", "NG0201");

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Empty(result.Error);
        var lines = result.Output.Split('\n');
        Assert.Equal("NG0201: Channel mismatch in residual add", lines[0]);
        Assert.Equal(string.Empty, lines[1]);
        Assert.Equal("**Cause.** The body of a `residual` ends with another channel count than its shortcut (the identity", lines[2]);
        Assert.Contains("ng0201a.net.txt(4,5): error NG0201: residual adds 32 channels (body, set on line 4) to 16 channels", result.Output);
        Assert.EndsWith("batch norm (a `when` must be true wherever the channels change).\n", result.Output);
        Assert.DoesNotContain("NG0202", result.Output);
    }

    [Theory]
    [InlineData("ng0201")]
    [InlineData("NG201")]
    [InlineData("201")]
    public void An_ID_may_be_written_in_lower_case_or_without_its_zeros(string id)
    {
        var result = ToolRunner.Run("explain", id);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.StartsWith("NG0201: Channel mismatch in residual add\n", result.Output);
    }

    [Fact]
    public void Without_an_ID_it_lists_every_ID_with_its_title()
    {
        var result = ToolRunner.Run("explain");

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal(DiagnosticDescriptors.Every.Select(d => $"{d.Id}  {d.Title}"), result.OutputLines);
    }

    [Theory]
    [InlineData("NG0208", "no diagnostic 'NG0208'; did you mean")]
    [InlineData("NG0999", "no diagnostic 'NG0999'")]
    [InlineData("CS0103", "no diagnostic 'CS0103'")]
    public void An_unknown_ID_exits_2_with_suggestions(string id, string message)
    {
        var result = ToolRunner.Run("explain", id);

        Assert.Equal(Cli.UsageError, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.StartsWith("netgen: " + message, result.Error);
        Assert.EndsWith("('netgen explain' lists them)\n", result.Error);
        Assert.Single(result.Error.Split('\n'), l => l.Length > 0);
    }
}
