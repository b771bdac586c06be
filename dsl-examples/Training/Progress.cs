using System;
using System.Diagnostics;
using System.Globalization;

namespace NetGen.Examples.Training;

/// <summary>
/// A live progress bar for one epoch: batches, loss, accuracy, images/s and time left. On a terminal it
/// redraws one line; when the output is redirected it prints a line at each quarter instead.
/// </summary>
public sealed class Progress
{
    private readonly string _label;
    private readonly bool _interactive;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastQuarter = -1;
    private TimeSpan _lastDraw;

    public Progress(string label, bool quiet = false)
    {
        _label = label;
        Quiet = quiet;
        _interactive = !Console.IsOutputRedirected;
    }

    public bool Quiet { get; }

    public void Report(long done, long total, double loss, double accuracy, double imagesPerSecond)
    {
        if (Quiet)
        {
            return;
        }

        var fraction = (double)done / total;
        var remaining = TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / fraction * (1 - fraction));
        const int width = 24;
        var filled = (int)(fraction * width);
        var bar = new string('=', filled) + (filled < width ? ">" + new string(' ', width - filled - 1) : string.Empty);
        var line = string.Format(
            CultureInfo.InvariantCulture,
            "{0} [{1}] {2}/{3}  loss {4:0.0000}  acc {5:0.00}%  {6:#,0} img/s  ETA {7:m\\:ss}",
            _label, bar, done, total, loss, accuracy * 100, imagesPerSecond, remaining);
        if (_interactive)
        {
            if (done == total || _clock.Elapsed - _lastDraw > TimeSpan.FromMilliseconds(200))
            {
                _lastDraw = _clock.Elapsed;
                Console.Write("\r" + line + (done == total ? Environment.NewLine : string.Empty));
            }

            return;
        }

        var quarter = done * 4 / total;
        if (quarter != _lastQuarter && (quarter > 0 || done == total))
        {
            _lastQuarter = quarter;
            Console.WriteLine(line);
        }
    }
}
