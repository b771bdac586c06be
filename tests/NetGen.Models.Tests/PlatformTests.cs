using System;
using System.Linq;
using NetGen.Examples.PlatformCheck;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Models.Tests;

/// <summary>
/// The oneDNN guard (NetGen.Platform): which processors it guards, how it is overridden, that its switch
/// really stops oneDNN, and that the operations libtorch 2.10's oneDNN breaks on AMD Zen 5 give right
/// results under the guard's choice. Canaries run in child processes: on an affected machine with
/// oneDNN on they end with SIGFPE, which must not take the test host with them.
/// </summary>
public sealed class PlatformTests
{
    private static readonly TimeSpan CanaryTimeout = TimeSpan.FromMinutes(5);
    private readonly ITestOutputHelper _output;

    public PlatformTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Canaries => new(Canary.Names);

    public static TheoryData<string, int, int, bool, bool> Processors => new()
    {
        // vendor, family, model, AVX-512F, guarded
        { CpuInfo.Amd, 0x1A, 0x02, true, true },  // Zen 5 (EPYC 9005): measured faulty
        { CpuInfo.Amd, 0x19, 0x11, true, true },  // Zen 4 (EPYC 9004): the same AVX-512 kernels
        { CpuInfo.Amd, 0x1A, 0x44, false, true },  // a Zen 5 whose AVX-512 a hypervisor hides
        { CpuInfo.Amd, 0x19, 0x01, false, false },  // Zen 3 (EPYC 7003): measured correct
        { CpuInfo.Amd, 0x17, 0x31, false, false },  // Zen 2
        { "GenuineIntel", 0x06, 0x8F, true, false },  // Sapphire Rapids
    };

    [Theory]
    [MemberData(nameof(Processors))]
    public void The_guard_turns_onednn_off_on_amd_processors_with_avx512_only(string vendor, int family, int model, bool avx512, bool guarded)
    {
        var cpu = new CpuInfo(vendor, family, model, "test processor", avx512, false);
        Assert.Equal(guarded, Platform.IsOneDnnFaulty(cpu));
        var (enable, source, reason) = Platform.Decide(null, cpu);
        Assert.Equal(!guarded, enable);
        Assert.Equal(OneDnnSource.Automatic, source);
        Assert.Equal(guarded, reason.Contains("test processor", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("on", true, OneDnnSource.Environment)]
    [InlineData(" ON ", true, OneDnnSource.Environment)]
    [InlineData("1", true, OneDnnSource.Environment)]
    [InlineData("off", false, OneDnnSource.Environment)]
    [InlineData("false", false, OneDnnSource.Environment)]
    [InlineData("auto", false, OneDnnSource.Automatic)]
    [InlineData("", false, OneDnnSource.Automatic)]
    [InlineData("maybe", false, OneDnnSource.Automatic)]
    public void The_environment_variable_overrides_the_processor_rule_both_ways(string value, bool enable, OneDnnSource source)
    {
        var zen5 = new CpuInfo(CpuInfo.Amd, 0x1A, 0x02, "AMD EPYC 9B45", true, true);
        var decision = Platform.Decide(value, zen5);
        Assert.Equal((enable, source), (decision.Enable, decision.Source));
        Assert.Equal(value == "maybe", decision.Reason.Contains("'maybe' is not on, off or auto", StringComparison.Ordinal));
    }

    [Fact]
    public void The_notice_is_one_line_that_names_the_override()
    {
        var (_, _, reason) = Platform.Decide(null, new CpuInfo(CpuInfo.Amd, 0x1A, 0x02, "AMD EPYC 9B45", true, true));
        var notice = Platform.GuardNotice(reason);
        Assert.DoesNotContain('\n', notice);
        Assert.Contains("AMD EPYC 9B45", notice, StringComparison.Ordinal);
        Assert.Contains($"{Platform.OneDnnVariable}=on", notice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_without_libtorchs_entry_points_leaves_everything_alone()
    {
        Assert.Null(LibTorchContext.TryOpen("libc.so.6"));
        Assert.Null(LibTorchContext.TryOpen("libnetgen-no-such-library.so"));
    }

    [Fact]
    public void The_api_switch_reaches_libtorch_and_reads_back()
    {
        Platform.EnsureConfigured();
        var before = Platform.OneDnn;
        Assert.NotEqual(OneDnnSource.Undecided, before.Source);
        Assert.NotEqual(OneDnnSource.Unavailable, before.Source);
        try
        {
            Assert.True(Platform.UseOneDnn(false));
            Assert.Equal(new OneDnnStatus(false, OneDnnSource.Api, "UseOneDnn(false) was called"), Platform.OneDnn);
        }
        finally
        {
            // Back to the process's decision (never on where the guard turned it off).
            Platform.UseOneDnn(before.Enabled);
        }

        Assert.Equal(before.Enabled, Platform.OneDnn.Enabled);
    }

    [Theory]
    [MemberData(nameof(Canaries))]
    public void A_canary_is_right_under_the_guards_choice_and_with_onednn_off(string name)
    {
        var guarded = CanaryRunner.Run(name, "auto", CanaryTimeout);
        _output.WriteLine($"{Platform.Cpu}; guard's choice: {guarded.Cell}: {guarded.Detail}");
        Assert.True(guarded.Ok, $"{name} under the guard's choice: {guarded.Detail}");

        var off = CanaryRunner.Run(name, "off", CanaryTimeout);
        Assert.True(off.Ok, $"{name} with oneDNN off: {off.Detail}");
        Assert.Equal(0, off.OneDnnPrimitives);

        // Reported, not judged: whether this machine has the fault with oneDNN forced on. Where the guard left
        // oneDNN on, the first run was that run.
        if (guarded.OneDnnPrimitives > 0)
        {
            _output.WriteLine("oneDNN forced on: the guard's choice");
            return;
        }

        var on = CanaryRunner.Run(name, "on", CanaryTimeout);
        _output.WriteLine($"oneDNN forced on: {on.Cell}: {on.Detail}");
        Assert.True(on.OneDnnPrimitives > 0 || on.ExitCode != 0, "with oneDNN forced on, oneDNN should have run");
    }
}
