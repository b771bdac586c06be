using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using NetGen.Generator;
using NetGen.Generator.Binding;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen summary FILE</c>: a torchinfo-style table per network, read off the bound model (every
/// shape, parameter and MAC count is known at compile time; nothing is run).
/// </summary>
public static class SummaryCommand
{
    private const int BytesPerElement = 4;

    /// <summary>The <c>summary</c> command: its arguments, options and action.</summary>
    public static Command Create()
    {
        var file = ToolOptions.File();
        var network = ToolOptions.Network();
        var json = new Option<bool>("--json") { Description = "the same rows and totals as JSON" };
        var command = new Command(
            "summary",
            "A torchinfo-style table per network: each module's state_dict path, kind, output shape, parameters and MACs, how skip and concat edges join, totals and memory.")
        {
            file,
            network,
            json,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(file), parse.GetValue(network), parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Prints the table (or JSON) of the file's networks, or of the one named.</summary>
    public static int Run(string file, string? network, bool json, TextWriter output, TextWriter error)
    {
        var path = NetworkFiles.ExpandOne(file);
        var workspace = NetworkFiles.Load(new[] { path }, NetGenCompiler.DefaultNamespace);
        if (Cli.ReportDiagnostics(workspace, error))
        {
            return Cli.Failure;
        }

        var summaries = NetworkFiles.Select(workspace, network).Select(SummaryRows.For).ToList();
        output.Write(json ? Json(summaries) : string.Join(Environment.NewLine, summaries.Select(Table)));
        return Cli.Success;
    }

    /// <summary>The table of one network, torchinfo's layout with a kind column and a MACs column.</summary>
    public static string Table(SummaryRows summary)
    {
        var network = summary.Network;
        var header = new[] { "Layer (state_dict path)", "Kind", "Output Shape", "Param #", "MACs" };
        var cells = summary.Rows.Where(r => !r.IsNote).Select(r => new[]
        {
            new string(' ', 2 * r.Depth) + r.Layer,
            r.Kind,
            ModelText.BatchShape(r.Output),
            Count(r.Parameters),
            Count(r.Macs),
        }).ToList();
        var widths = header.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max()).ToArray();
        const string Gap = "   ";
        var width = widths.Sum() + Gap.Length * (widths.Length - 1);

        string Format(string[] row) => string.Join(Gap, row.Select((cell, i) => i >= 3 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd();

        var text = new StringBuilder();
        text.AppendLine($"{network.ClassName} ({Path.GetFileName(network.SourcePath)})");
        text.AppendLine(new string('=', width));
        text.AppendLine(Format(header));
        text.AppendLine(new string('=', width));
        var index = 0;
        foreach (var row in summary.Rows)
        {
            text.AppendLine(row.IsNote ? new string(' ', 2 * row.Depth) + "↳ " + row.Note : Format(cells[index++]));
        }

        var parameterBytes = network.ParameterCount * BytesPerElement;
        var activationBytes = summary.ActivationElements * BytesPerElement;
        var inputBytes = ModelText.Elements(network.Input) * BytesPerElement;
        text.AppendLine(new string('=', width));
        text.AppendLine($"Total params: {ModelText.Number(network.ParameterCount)} ({ModelText.Scaled(network.ParameterCount)})");
        text.AppendLine($"Total MACs: {ModelText.Number(network.Macs)} ({ModelText.Scaled(network.Macs)}){(network.Children.Any(c => c.Role == ChildRole.Auxiliary) ? ", forward only: auxiliary heads excluded" : string.Empty)}");
        text.AppendLine($"Input shape: {ModelText.BatchShape(network.Input)}");
        text.AppendLine($"Output shape: {ModelText.BatchShape(network.Output)}");
        text.AppendLine("Shapes and counts are per sample; -1 is the batch dimension. Sizes assume float32.");
        text.AppendLine(new string('-', width));
        text.AppendLine($"Input size (MB): {Megabytes(inputBytes)}");
        text.AppendLine($"Forward activations (MB): {Megabytes(activationBytes)}");
        text.AppendLine($"Params size (MB): {Megabytes(parameterBytes)}");
        text.AppendLine($"Estimated total size (MB): {Megabytes(inputBytes + activationBytes + parameterBytes)}");
        text.AppendLine(new string('=', width));
        return text.ToString();
    }

    /// <summary>Every summary as one JSON array (rows, notes and totals), for scripts.</summary>
    public static string Json(IReadOnlyList<SummaryRows> summaries)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var summary in summaries)
            {
                var network = summary.Network;
                json.WriteStartObject();
                json.WriteString("network", network.ClassName);
                json.WriteString("file", Path.GetFileName(network.SourcePath));
                WriteShape(json, "input", network.Input);
                WriteShape(json, "output", network.Output);
                json.WriteNumber("parameters", network.ParameterCount);
                json.WriteNumber("macs", network.Macs);
                json.WriteNumber("activationElements", summary.ActivationElements);
                json.WriteStartArray("rows");
                for (var i = 0; i < summary.Rows.Count; i++)
                {
                    var row = summary.Rows[i];
                    if (row.IsNote)
                    {
                        continue;
                    }

                    json.WriteStartObject();
                    json.WriteString("path", row.Layer);
                    json.WriteNumber("depth", row.Depth);
                    json.WriteString("kind", row.Kind);
                    WriteShape(json, "output", row.Output);
                    json.WriteNumber("parameters", row.Parameters);
                    json.WriteNumber("macs", row.Macs);
                    json.WriteBoolean("auxiliary", row.Auxiliary);
                    if (i + 1 < summary.Rows.Count && summary.Rows[i + 1].IsNote)
                    {
                        json.WriteString("joins", summary.Rows[i + 1].Note);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    private static void WriteShape(Utf8JsonWriter json, string name, Shape shape)
    {
        json.WriteStartArray(name);
        foreach (var dimension in ModelText.Dimensions(shape))
        {
            json.WriteNumberValue(dimension);
        }

        json.WriteEndArray();
    }

    private static string Count(long value) => value == 0 ? "--" : ModelText.Number(value);

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture);
}
