using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NetGen.Examples.ConsoleOutput;
using Spectre.Console;
using Xunit;
using Progress = NetGen.Examples.Training.Progress;

namespace NetGen.Models.Tests;

/// <summary>
/// The demo's console output: a table is Spectre.Console's on a terminal and aligned plain text in a log, and training
/// progress prints a plain line at each quarter of an epoch when redirected, with a time left that reads right past an hour.
/// </summary>
public sealed class ConsoleOutputTests
{
    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(5, "0:05")]
    [InlineData(59 * 60 + 59, "59:59")]
    [InlineData(60 * 60, "1:00:00")]
    [InlineData(65 * 60, "1:05:00")]
    [InlineData(25 * 60 * 60, "25:00:00")]
    public void Time_left_is_minutes_and_seconds_below_an_hour_and_hours_from_an_hour_on(int seconds, string expected)
    {
        Assert.Equal(expected, Progress.FormatDuration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Redirected_progress_prints_one_plain_line_at_each_quarter()
    {
        using var output = new StringWriter();
        var progress = new Progress("epoch 1/2", output: output);

        for (var batch = 1; batch <= 10; batch++)
        {
            progress.Report(batch, 10, 1.0 / batch, 0.05 * batch, 1234.5);
        }

        var lines = output.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(new[] { "3/10", "5/10", "8/10", "10/10" }, lines.Select(l => Regex.Match(l, @"\] (\d+/10) ").Groups[1].Value));
        Assert.Equal("epoch 1/2 [========================] 10/10  loss 0.1000  acc 50.00%  1,235 img/s  ETA 0:00", lines[^1]);
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public void A_quiet_progress_prints_nothing()
    {
        using var output = new StringWriter();
        var progress = new Progress("test", quiet: true, output: output);

        progress.Report(1, 1, 0.5, 0.5, 100);

        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void A_redirected_table_is_plain_aligned_columns_on_one_line_a_row_at_any_width()
    {
        var wide = new string('x', 150);
        var table = new OutputTable(("Name", false), ("Count", true), ("Note", false))
            .AddRow("a", "1", wide)
            .AddRow("longer name", "1,000", "[not markup]");
        using var output = new StringWriter();

        table.Write(output);

        Assert.Equal(
            $"Name         Count  Note\n-----------  -----  {new string('-', 150)}\na                1  {wide}\nlonger name  1,000  [not markup]\n",
            output.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void An_interactive_table_is_a_spectre_table_of_the_same_cells()
    {
        var (console, output) = SpectreConsole(width: 80);

        Table().Write(console);

        var lines = output.ToString().Replace("\r\n", "\n").TrimEnd().Split('\n');
        Assert.Equal("╭──────────┬────────────╮", lines[0]);
        Assert.Equal("│ Name     │      Count │", lines[1]);
        Assert.Equal("│ ResNet50 │ 25,557,032 │", lines[3]);
        Assert.Equal("│ [bold]   │          1 │", lines[4]);
    }

    [Fact]
    public void A_table_wider_than_the_terminal_is_written_plain_so_no_cell_is_squeezed()
    {
        var (console, output) = SpectreConsole(width: 20);

        Table().Write(console);

        Assert.Equal("Name           Count\n--------  ----------\nResNet50  25,557,032\n[bold]             1\n", output.ToString().Replace("\r\n", "\n"));
    }

    private static OutputTable Table() => new OutputTable(("Name", false), ("Count", true)).AddRow("ResNet50", "25,557,032").AddRow("[bold]", "1");

    private static (IAnsiConsole Console, StringWriter Output) SpectreConsole(int width)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = width;
        return (console, output);
    }
}
