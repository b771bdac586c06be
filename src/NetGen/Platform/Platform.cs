using System;

namespace NetGen;

/// <summary>How oneDNN was chosen for this process.</summary>
public enum OneDnnSource
{
    /// <summary>Not decided yet: no generated network was created and nothing was asked.</summary>
    Undecided,

    /// <summary>NetGen decided from the processor (<see cref="Platform.IsOneDnnFaulty"/>).</summary>
    Automatic,

    /// <summary>The <c>NETGEN_ONEDNN</c> environment variable said <c>on</c> or <c>off</c>.</summary>
    Environment,

    /// <summary>The program called <see cref="Platform.UseOneDnn"/>.</summary>
    Api,

    /// <summary>libtorch's switch could not be reached (another libtorch, Windows): nothing was changed.</summary>
    Unavailable,
}

/// <summary>Whether libtorch uses oneDNN in this process, who decided, and why.</summary>
/// <param name="Enabled">libtorch's own setting, read back after the decision (true where it could not be read).</param>
/// <param name="Source">Who decided.</param>
/// <param name="Reason">One sentence: the processor and the rule, or the override.</param>
public sealed record OneDnnStatus(bool Enabled, OneDnnSource Source, string Reason);

/// <summary>
/// Guards generated networks against libtorch 2.10's oneDNN faults on AMD processors: on the processors
/// <see cref="IsOneDnnFaulty"/> names, some oneDNN convolution kernels stop the process with an integer
/// divide error (SIGFPE) or return wrong results. The first generated network of a process calls
/// <see cref="EnsureConfigured"/>, which turns oneDNN off there (libtorch then runs its own convolution
/// kernels: the same results, slower) and says so once on standard error or through <see cref="Notice"/>.
/// <c>NETGEN_ONEDNN=on|off|auto</c> or <see cref="UseOneDnn"/> overrides the choice either way.
/// </summary>
public static class Platform
{
    /// <summary>The environment variable that overrides the automatic choice: <c>on</c>, <c>off</c> or <c>auto</c>.</summary>
    public const string OneDnnVariable = "NETGEN_ONEDNN";

    private static readonly object Gate = new();
    private static volatile OneDnnStatus _oneDnn = new(true, OneDnnSource.Undecided, "no generated network has been created yet");
    private static LibTorchContext? _context;
    private static bool _contextOpened;

    /// <summary>
    /// Receives NetGen's one-line notices (today: that the guard turned oneDNN off, and why). Without a
    /// handler they go to standard error. Attach before the first network is created.
    /// </summary>
    public static event Action<string>? Notice;

    /// <summary>The processor of this process.</summary>
    public static CpuInfo Cpu => CpuInfo.Current;

    /// <summary>The current oneDNN decision; <see cref="OneDnnSource.Undecided"/> before the first network.</summary>
    public static OneDnnStatus OneDnn => _oneDnn;

    /// <summary>
    /// True where libtorch 2.10's oneDNN is known or presumed faulty: AMD processors with AVX-512 (Zen 4,
    /// Zen 5 and later). Measured there on Zen 5 (family 0x1A): SIGFPE in 1×1 convolutions and ResNet-50
    /// training steps, 3×3 convolutions off by up to 0.8 (GoogLeNet's logits by 26 %); capping oneDNN
    /// at AVX2 fixed the numbers, so Zen 4's AVX-512 kernels are guarded too. AMD processors without
    /// AVX-512 (Zen 3 measured) and Intel processors are left alone.
    /// </summary>
    public static bool IsOneDnnFaulty(CpuInfo cpu) => cpu.IsAmd && (cpu.Avx512F || cpu.Family >= 0x1A);

    /// <summary>
    /// Applies the oneDNN decision once per process: an earlier <see cref="UseOneDnn"/> call, else
    /// <c>NETGEN_ONEDNN</c>, else <see cref="IsOneDnnFaulty"/>. Generated constructors call it; it is
    /// cheap after the first call and never throws.
    /// </summary>
    public static void EnsureConfigured()
    {
        if (_oneDnn.Source != OneDnnSource.Undecided)
        {
            return;
        }

        string? notice = null;
        lock (Gate)
        {
            if (_oneDnn.Source != OneDnnSource.Undecided)
            {
                return;
            }

            var (enable, source, reason) = Decide(Environment.GetEnvironmentVariable(OneDnnVariable), Cpu);
            _oneDnn = Apply(enable, source, reason);
            if (_oneDnn.Source == OneDnnSource.Automatic && !_oneDnn.Enabled)
            {
                notice = GuardNotice(reason);
            }
        }

        if (notice is not null)
        {
            Publish(notice);
        }
    }

    /// <summary>
    /// Turns libtorch's oneDNN on or off from now on, over <c>NETGEN_ONEDNN</c> and the automatic choice.
    /// Returns false (and changes nothing) where libtorch's switch cannot be reached.
    /// </summary>
    public static bool UseOneDnn(bool enabled)
    {
        lock (Gate)
        {
            _oneDnn = Apply(enabled, OneDnnSource.Api, $"{nameof(UseOneDnn)}({(enabled ? "true" : "false")}) was called");
            return _oneDnn.Source == OneDnnSource.Api;
        }
    }

    /// <summary>The decision for a value of <c>NETGEN_ONEDNN</c> (null when unset) on <paramref name="cpu"/>.</summary>
    internal static (bool Enable, OneDnnSource Source, string Reason) Decide(string? variable, CpuInfo cpu)
    {
        switch (variable?.Trim().ToLowerInvariant())
        {
            case "on" or "1" or "true":
                return (true, OneDnnSource.Environment, $"{OneDnnVariable}={variable}");
            case "off" or "0" or "false":
                return (false, OneDnnSource.Environment, $"{OneDnnVariable}={variable}");
        }

        var faulty = IsOneDnnFaulty(cpu);
        var rule = faulty
            ? $"libtorch 2.10's oneDNN crashes (SIGFPE) or computes wrong convolutions on AMD processors with AVX-512, and this is one: {cpu}"
            : "oneDNN is not known to fail on this processor";
        var ignored = variable is null or "" || variable.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)
            ? string.Empty
            : $" ({OneDnnVariable}='{variable}' is not on, off or auto, so it was ignored)";
        return (!faulty, OneDnnSource.Automatic, rule + ignored);
    }

    /// <summary>The one line said when the guard turns oneDNN off.</summary>
    internal static string GuardNotice(string reason) =>
        $"NetGen: oneDNN is off in this process: {reason}. Set {OneDnnVariable}=on to keep it (README, 'Known platform issues').";

    private static OneDnnStatus Apply(bool enable, OneDnnSource source, string reason)
    {
        try
        {
            if (!_contextOpened)
            {
                _context = LibTorchContext.TryOpen();
                _contextOpened = true;
            }

            if (_context is null)
            {
                return new OneDnnStatus(true, OneDnnSource.Unavailable, $"libtorch's oneDNN switch was not found; nothing changed ({reason})");
            }

            // Only an actual change is written: where oneDNN works, an automatic decision leaves libtorch untouched.
            if (_context.OneDnnEnabled != enable)
            {
                _context.OneDnnEnabled = enable;
            }

            return new OneDnnStatus(_context.OneDnnEnabled, source, reason);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            _contextOpened = true;
            return new OneDnnStatus(true, OneDnnSource.Unavailable, $"libtorch could not be loaded ({exception.GetType().Name}); nothing changed");
        }
    }

    private static void Publish(string notice)
    {
        var handlers = Notice;
        if (handlers is null)
        {
            Console.Error.WriteLine(notice);
        }
        else
        {
            handlers(notice);
        }
    }
}
