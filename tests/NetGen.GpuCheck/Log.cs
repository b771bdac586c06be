using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace NetGen.GpuCheck;

/// <summary>Progress lines with the time since start, as ref.py prints them, so run.sh's log interleaves readably.</summary>
public sealed class Log
{
    private readonly TextWriter _writer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>A log that writes to <paramref name="writer"/>.</summary>
    public Log(TextWriter writer) => _writer = writer;

    /// <summary>Writes one line.</summary>
    public void Line(string message)
    {
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[+{_clock.Elapsed.TotalSeconds,7:F2}s] [dotnet] {message}"));
        _writer.Flush();
    }
}
