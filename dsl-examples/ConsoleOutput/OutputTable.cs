using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NetGen.Examples.ConsoleOutput;

/// <summary>
/// A table built once and written two ways: a Spectre.Console table on a terminal wide enough for it, and plain
/// columns (two spaces apart, a dashed rule under the header, no ANSI codes, no wrapping at any width) when the
/// output is redirected, so that a log, a pipe or a test reads every row on one line.
/// </summary>
public sealed class OutputTable
{
    private readonly (string Header, bool RightAligned)[] _columns;
    private readonly List<string[]> _rows = new();

    /// <summary>A table with these columns; right-aligned ones hold numbers.</summary>
    public OutputTable(params (string Header, bool RightAligned)[] columns) => _columns = columns;

    /// <summary>The rows added so far, each one cell a column.</summary>
    public IReadOnlyList<string[]> Rows => _rows;

    /// <summary>Adds a row; it must have one cell a column.</summary>
    public OutputTable AddRow(params string[] cells)
    {
        if (cells.Length != _columns.Length)
        {
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {_columns.Length} columns", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    /// <summary>Writes the table as Spectre.Console's when <paramref name="output"/> is a terminal, else as plain columns.</summary>
    public void Write(TextWriter output)
    {
        if (Terminal.IsInteractive(output))
        {
            Write(Terminal.On(output));
        }
        else
        {
            WritePlain(output);
        }
    }

    /// <summary>
    /// Writes the table with Spectre.Console (rounded borders; cells are text, never markup) where it fits the
    /// console's width; a narrower console gets the plain columns, whose rows the terminal wraps whole rather than
    /// squeezing every word of a cell onto lines of its own.
    /// </summary>
    public void Write(IAnsiConsole console)
    {
        var table = new Table().RoundedBorder();
        foreach (var (header, rightAligned) in _columns)
        {
            table.AddColumn(new TableColumn(new Text(header)) { Alignment = rightAligned ? Justify.Right : Justify.Left });
        }

        foreach (var row in _rows)
        {
            table.AddRow(row.Select(cell => new Text(cell)));
        }

        var width = ((IRenderable)table).Measure(RenderOptions.Create(console, console.Profile.Capabilities), int.MaxValue).Max;
        if (width <= console.Profile.Width)
        {
            console.Write(table);
        }
        else
        {
            WritePlain(console.Profile.Out.Writer);
        }
    }

    /// <summary>Writes the table as plain text columns, each as wide as its widest cell.</summary>
    public void WritePlain(TextWriter output)
    {
        var widths = _columns.Select((column, i) => _rows.Select(row => row[i].Length).Append(column.Header.Length).Max()).ToArray();
        void Line(IEnumerable<string> cells) => output.WriteLine(string.Join("  ", cells.Select((cell, i) =>
            _columns[i].RightAligned ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
        Line(_columns.Select(c => c.Header));
        Line(widths.Select(w => new string('-', w)));
        foreach (var row in _rows)
        {
            Line(row);
        }
    }
}
