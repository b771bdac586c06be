using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace NetGen.Examples.Training;

/// <summary>
/// Training curves as CSV and as PNG line charts. The PNG is drawn and encoded here (a 5x7 bitmap font,
/// Bresenham lines, zlib from the BCL) so the demo needs no imaging package.
/// </summary>
public static class Charts
{
    private const int Width = 800;
    private const int Height = 500;
    private const int Scale = 2; // 5x7 glyphs drawn at 10x14 pixels: readable at 800x500

    private static readonly (byte R, byte G, byte B)[] Palette =
    {
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    };

    private static readonly (byte R, byte G, byte B) Black = (0, 0, 0);
    private static readonly (byte R, byte G, byte B) Grid = (225, 225, 225);
    private static readonly (byte R, byte G, byte B) White = (255, 255, 255);

    // 5x7 glyphs, row-major from the top: bit 34 is the top-left pixel, bit 0 the bottom-right one.
    // Lower case is drawn as upper case; anything else as '?'.
    private static readonly Dictionary<char, long> Font = new()
    {
        ['0'] = 0x3A33AE62E, ['1'] = 0x11842108E, ['2'] = 0x3A211111F, ['3'] = 0x7C441062E, ['4'] = 0x08CA97C42, ['5'] = 0x7E1E0862E,
        ['6'] = 0x1910F462E, ['7'] = 0x7C2222108, ['8'] = 0x3A317462E, ['9'] = 0x3A317844C, ['A'] = 0x3A31FC631, ['B'] = 0x7A31F463E,
        ['C'] = 0x3A308422E, ['D'] = 0x72518C65C, ['E'] = 0x7E10F421F, ['F'] = 0x7E10F4210, ['G'] = 0x3A30BC62F, ['H'] = 0x4631FC631,
        ['I'] = 0x38842108E, ['J'] = 0x1C4210A4C, ['K'] = 0x4654C5251, ['L'] = 0x42108421F, ['M'] = 0x4775AC631, ['N'] = 0x4639ACE31,
        ['O'] = 0x3A318C62E, ['P'] = 0x7A31F4210, ['Q'] = 0x3A318D64D, ['R'] = 0x7A31F5251, ['S'] = 0x3E107043E, ['T'] = 0x7C8421084,
        ['U'] = 0x46318C62E, ['V'] = 0x46318C544, ['W'] = 0x4631AD6AA, ['X'] = 0x462A22A31, ['Y'] = 0x462A21084, ['Z'] = 0x7C222221F,
        [' '] = 0x000000000, ['.'] = 0x00000018C, [','] = 0x000003088, ['%'] = 0x632222263, ['-'] = 0x0000F8000, ['+'] = 0x0084F9080,
        ['='] = 0x001F07C00, [':'] = 0x018C03180, ['/'] = 0x002222200, ['('] = 0x088842082, [')'] = 0x208210888, ['_'] = 0x00000001F,
        ['\''] = 0x108800000, ['?'] = 0x3A2111004,
    };

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    /// <summary>Writes a header line and one line per row, numbers in the invariant culture (round-trip precision).</summary>
    /// <exception cref="ArgumentException">A row has another number of values than there are columns.</exception>
    public static void WriteCsv(string path, IReadOnlyList<string> columns, IReadOnlyList<double[]> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', columns.Select(Quote)).Append('\n');
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != columns.Count)
            {
                throw new ArgumentException($"row {i} has {rows[i].Length} values for {columns.Count} columns", nameof(rows));
            }

            text.AppendJoin(',', rows[i].Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        CreateFolder(path);
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// Draws the series as lines over x = 1, 2, 3, ... (epochs) into an 800x500 RGB PNG: title, axes with
    /// tick labels, one colour per series and a legend in the emptiest corner. NaN and infinite values leave gaps.
    /// </summary>
    public static void WritePng(string path, string title, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, string xLabel)
    {
        var canvas = new Canvas(Width, Height);
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var (yTicks, yDecimals) = Ticks(finite.Min(), finite.Max(), 6);
        var points = Math.Max(1, series.Select(s => s.Values.Count).DefaultIfEmpty(0).Max());
        var (xMin, xMax) = points == 1 ? (0.0, 2.0) : (1.0, points);
        var xTicks = Ticks(xMin, xMax, 10).Values.Where(t => Math.Abs(t - Math.Round(t)) < 1e-9).Select(t => Math.Round(t)).Where(t => t >= xMin && t <= xMax).ToList();
        var yText = yTicks.Select(t => t.ToString("F" + yDecimals, CultureInfo.InvariantCulture)).ToList();

        var left = 16 + yText.Max(TextWidth) + 8;
        var (right, top, bottom) = (Width - 24, 48, Height - 64);
        int X(double x) => left + (int)Math.Round((x - xMin) / (xMax - xMin) * (right - left));
        int Y(double y) => bottom - (int)Math.Round((y - yTicks[0]) / (yTicks[^1] - yTicks[0]) * (bottom - top));

        for (var i = 0; i < yTicks.Count; i++)
        {
            canvas.Line(left, Y(yTicks[i]), right, Y(yTicks[i]), Grid, 1);
            canvas.Text(left - 8 - TextWidth(yText[i]), Y(yTicks[i]) - (7 * Scale / 2), yText[i], Black);
        }

        foreach (var t in xTicks)
        {
            var label = t.ToString("F0", CultureInfo.InvariantCulture);
            canvas.Line(X(t), top, X(t), bottom, Grid, 1);
            canvas.Line(X(t), bottom, X(t), bottom + 5, Black, 1);
            canvas.Text(X(t) - (TextWidth(label) / 2), bottom + 10, label, Black);
        }

        canvas.Line(left, top, left, bottom, Black, 1);
        canvas.Line(left, bottom, right, bottom, Black, 1);
        canvas.Text((Width - TextWidth(title)) / 2, 14, title, Black);
        canvas.Text(((left + right) / 2) - (TextWidth(xLabel) / 2), Height - 28, xLabel, Black);

        var all = new List<(int X, int Y)>();
        for (var s = 0; s < series.Count; s++)
        {
            var colour = Palette[s % Palette.Length];
            var values = series[s].Values;
            for (var i = 0; i < values.Count; i++)
            {
                if (!double.IsFinite(values[i]))
                {
                    continue;
                }

                var (px, py) = (X(i + 1), Y(values[i]));
                all.Add((px, py));
                canvas.Fill(px - 2, py - 2, 5, 5, colour); // a dot per point, so a single value still shows
                if (i > 0 && double.IsFinite(values[i - 1]))
                {
                    canvas.Line(X(i), Y(values[i - 1]), px, py, colour, 2);
                }
            }
        }

        DrawLegend(canvas, series.Select(s => s.Name).ToList(), all, left, right, top, bottom);
        CreateFolder(path);
        File.WriteAllBytes(path, canvas.ToPng());
    }

    /// <summary>Puts the legend in whichever inner corner of the plot covers the fewest data points.</summary>
    private static void DrawLegend(Canvas canvas, List<string> names, List<(int X, int Y)> points, int left, int right, int top, int bottom)
    {
        if (names.Count == 0)
        {
            return;
        }

        const int row = 7 * Scale + 8;
        var width = 44 + names.Max(TextWidth);
        var height = (names.Count * row) + 8;
        var corners = new[] { (right - width - 10, top + 10), (right - width - 10, bottom - height - 10), (left + 10, top + 10), (left + 10, bottom - height - 10) };
        var (x0, y0) = corners.OrderBy(c => points.Count(p => p.X >= c.Item1 - 4 && p.X <= c.Item1 + width + 4 && p.Y >= c.Item2 - 4 && p.Y <= c.Item2 + height + 4)).First();
        canvas.Fill(x0, y0, width, height, White);
        canvas.Line(x0, y0, x0 + width, y0, Black, 1);
        canvas.Line(x0, y0 + height, x0 + width, y0 + height, Black, 1);
        canvas.Line(x0, y0, x0, y0 + height, Black, 1);
        canvas.Line(x0 + width, y0, x0 + width, y0 + height, Black, 1);
        for (var i = 0; i < names.Count; i++)
        {
            var y = y0 + 8 + (i * row);
            canvas.Fill(x0 + 8, y + (7 * Scale / 2) - 2, 24, 4, Palette[i % Palette.Length]);
            canvas.Text(x0 + 38, y, names[i], Black);
        }
    }

    /// <summary>Round tick values (steps of 1, 2 or 5 times a power of ten) covering [min, max], and their decimals.</summary>
    private static (List<double> Values, int Decimals) Ticks(double min, double max, int count)
    {
        if (max - min < 1e-12)
        {
            (min, max) = (min - Math.Max(0.5, Math.Abs(min) * 0.1), max + Math.Max(0.5, Math.Abs(max) * 0.1));
        }

        var rough = (max - min) / count;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = (rough / power) switch { < 1.5 => 1, < 3 => 2, < 7 => 5, _ => 10 } * power;
        var ticks = new List<double>();
        for (var k = Math.Floor(min / step); k <= Math.Ceiling(max / step); k++)
        {
            ticks.Add(k * step);
        }

        return (ticks, Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9)));
    }

    private static int TextWidth(string text) => text.Length * 6 * Scale;

    private static string Quote(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static void CreateFolder(string path)
    {
        // Charts go into a run's output folder, which may not exist before the first epoch ends.
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes, uint crc = 0xFFFFFFFFu)
    {
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    /// <summary>An RGB image with the few drawing operations a line chart needs; pixels outside are clipped.</summary>
    private sealed class Canvas
    {
        private readonly int _width;
        private readonly int _height;
        private readonly byte[] _rgb;

        public Canvas(int width, int height)
        {
            (_width, _height) = (width, height);
            _rgb = new byte[width * height * 3];
            Array.Fill(_rgb, (byte)255);
        }

        public void Fill(int x, int y, int width, int height, (byte R, byte G, byte B) colour)
        {
            for (var j = Math.Max(0, y); j < Math.Min(_height, y + height); j++)
            {
                for (var i = Math.Max(0, x); i < Math.Min(_width, x + width); i++)
                {
                    var at = 3 * ((j * _width) + i);
                    (_rgb[at], _rgb[at + 1], _rgb[at + 2]) = colour;
                }
            }
        }

        /// <summary>Bresenham's line, each step a <paramref name="thickness"/>-pixel square.</summary>
        public void Line(int x0, int y0, int x1, int y1, (byte R, byte G, byte B) colour, int thickness)
        {
            int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, error = dx + dy;
            while (true)
            {
                Fill(x0 - ((thickness - 1) / 2), y0 - ((thickness - 1) / 2), thickness, thickness, colour);
                if (x0 == x1 && y0 == y1)
                {
                    return;
                }

                var e2 = 2 * error;
                if (e2 >= dy)
                {
                    error += dy;
                    x0 += sx;
                }

                if (e2 <= dx)
                {
                    error += dx;
                    y0 += sy;
                }
            }
        }

        public void Text(int x, int y, string text, (byte R, byte G, byte B) colour)
        {
            foreach (var c in text.ToUpperInvariant())
            {
                var glyph = Font.TryGetValue(c, out var bits) ? bits : Font['?'];
                for (var bit = 0; bit < 35; bit++)
                {
                    if (((glyph >> (34 - bit)) & 1) != 0)
                    {
                        Fill(x + (bit % 5 * Scale), y + (bit / 5 * Scale), Scale, Scale, colour);
                    }
                }

                x += 6 * Scale;
            }
        }

        /// <summary>Encodes as an 8-bit RGB PNG: signature, IHDR, one zlib IDAT (filter 0 on every row), IEND.</summary>
        public byte[] ToPng()
        {
            using var png = new MemoryStream();
            png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
            var header = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, _width);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), _height);
            (header[8], header[9]) = (8, 2); // bit depth 8, colour type 2 (RGB); compression, filter, interlace 0
            Chunk(png, "IHDR", header);

            using var data = new MemoryStream();
            using (var zlib = new ZLibStream(data, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                for (var y = 0; y < _height; y++)
                {
                    zlib.WriteByte(0);
                    zlib.Write(_rgb, y * _width * 3, _width * 3);
                }
            }

            Chunk(png, "IDAT", data.ToArray());
            Chunk(png, "IEND", Array.Empty<byte>());
            return png.ToArray();
        }

        private static void Chunk(Stream png, string type, byte[] data)
        {
            var typeBytes = Encoding.ASCII.GetBytes(type);
            var number = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
            png.Write(number);
            png.Write(typeBytes);
            png.Write(data);
            BinaryPrimitives.WriteUInt32BigEndian(number, ~Crc32(data, Crc32(typeBytes)));
            png.Write(number);
        }
    }
}
