using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using NetGen.Examples.ConsoleOutput;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NetGen.Examples.Training;

/// <summary>
/// The progress of one epoch: batches, loss, accuracy, images/s and time left. On a terminal it is a Spectre.Console
/// live progress bar that ends when the last batch is reported, before the trainer prints its epoch line; when the
/// output is redirected it prints a plain line at each quarter instead.
/// </summary>
public sealed class Progress
{
    private readonly string _label;
    private readonly TextWriter _output;
    private bool _interactive;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastQuarter = -1;
    private LiveBar? _bar;

    /// <summary>
    /// Progress labelled <paramref name="label"/> (e.g. "epoch 3/8") on <paramref name="output"/> (the console's output
    /// if none); a quiet one shows nothing.
    /// </summary>
    public Progress(string label, bool quiet = false, TextWriter? output = null)
    {
        _label = label;
        Quiet = quiet;
        _output = output ?? Console.Out;
        _interactive = Terminal.IsInteractive(_output);
    }

    /// <summary>Whether this progress shows nothing (tests).</summary>
    public bool Quiet { get; }

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> batches and the running figures.</summary>
    public void Report(long done, long total, double loss, double accuracy, double imagesPerSecond)
    {
        if (Quiet)
        {
            return;
        }

        var fraction = (double)done / total;
        var remaining = fraction > 0 ? TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / fraction * (1 - fraction)) : TimeSpan.Zero;
        var figures = new Figures(done, total, loss, accuracy, imagesPerSecond, remaining);
        if (_interactive)
        {
            _bar ??= LiveBar.Start(_label, total, _output);
            if (_bar is not null)
            {
                _bar.Update(figures);
                if (done == total)
                {
                    _bar.Stop();
                }

                return;
            }

            // No live display (another one is running): plain lines, as when redirected.
            _interactive = false;
        }

        var quarter = done * 4 / total;
        if (quarter != _lastQuarter && (quarter > 0 || done == total))
        {
            _lastQuarter = quarter;
            const int width = 24;
            var filled = (int)(fraction * width);
            var bar = new string('=', filled) + (filled < width ? ">" + new string(' ', width - filled - 1) : string.Empty);
            _output.WriteLine($"{_label} [{bar}] {figures}");
        }
    }

    /// <summary>
    /// Ends the live progress bar, if one is showing, so that a line written next (an error) starts on its own line
    /// with the cursor visible. The trainers' normal path ends it with the last batch.
    /// </summary>
    public static void StopLiveDisplay() => LiveBar.Active?.Stop();

    /// <summary>A duration as m:ss below an hour and h:mm:ss from an hour on (hours not wrapped at a day).</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var seconds = (long)Math.Round(Math.Max(0, duration.TotalSeconds));
        var (hours, minutes) = (seconds / 3600, seconds / 60 % 60);
        return hours > 0
            ? string.Format(CultureInfo.InvariantCulture, "{0}:{1:00}:{2:00}", hours, minutes, seconds % 60)
            : string.Format(CultureInfo.InvariantCulture, "{0}:{1:00}", minutes, seconds % 60);
    }

    /// <summary>What one report measured.</summary>
    private sealed record Figures(long Done, long Total, double Loss, double Accuracy, double ImagesPerSecond, TimeSpan Remaining)
    {
        public override string ToString() => string.Format(
            CultureInfo.InvariantCulture,
            "{0}/{1}  loss {2:0.0000}  acc {3:0.00}%  {4:#,0} img/s  ETA {5}",
            Done, Total, Loss, Accuracy * 100, ImagesPerSecond, FormatDuration(Remaining));
    }

    /// <summary>The figures beside the bar, from the task's latest report.</summary>
    private sealed class FiguresColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Tag is Figures figures ? figures.ToString() : string.Empty);
    }

    /// <summary>
    /// A Spectre.Console progress display on a thread of its own: Spectre's display runs for the length of a callback,
    /// and a trainer reports batches from its loop instead. Spectre allows one live display at a time, and nothing else
    /// may write to the console while it runs, so <see cref="Stop"/> waits until the display has drawn its last frame.
    /// </summary>
    private sealed class LiveBar
    {
        private static LiveBar? s_active;
        private readonly ManualResetEventSlim _started = new();
        private readonly ManualResetEventSlim _finish = new();
        private readonly Thread _thread;
        private ProgressTask? _task;

        private LiveBar(string label, long total, TextWriter output)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    Terminal.On(output).Progress()
                        .AutoClear(false)
                        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new FiguresColumn())
                        .Start(context =>
                        {
                            _task = context.AddTask(Markup.Escape(label), maxValue: total);
                            _started.Set();
                            _finish.Wait();
                        });
                }
                catch (Exception)
                {
                    // No display (Spectre refuses a second live display): the caller prints plain lines. An exception
                    // left on this thread would end the process with a stack trace.
                }
                finally
                {
                    _started.Set();
                }
            })
            { IsBackground = true, Name = "progress bar" };
        }

        public static LiveBar? Active => s_active;

        public static LiveBar? Start(string label, long total, TextWriter output)
        {
            var bar = new LiveBar(label, total, output);
            bar._thread.Start();
            bar._started.Wait();
            if (bar._task is null)
            {
                return null;
            }

            s_active = bar;
            return bar;
        }

        public void Update(Figures figures)
        {
            _task!.Tag = figures;
            _task.Value = figures.Done;
        }

        public void Stop()
        {
            _finish.Set();
            _thread.Join();
            Interlocked.CompareExchange(ref s_active, null, this);
        }
    }
}
