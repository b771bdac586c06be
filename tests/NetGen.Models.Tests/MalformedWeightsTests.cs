using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using NetGen.Examples;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// Weights files that lie or are not files at all: each is a <see cref="WeightLoadException"/> that names
/// the file and the fault, found before anything the file asks for is allocated.
/// </summary>
public sealed class MalformedWeightsTests : IDisposable
{
    /// <summary>A loader may allocate this much managed memory on its own, whatever the file says.</summary>
    private const long AllocationAllowance = 4 * 1024 * 1024;

    /// <summary>Each fault, by name: the file's name, how to make it, and a part of the message that says what is wrong.</summary>
    private static readonly Dictionary<string, (string File, Action<string> Create, string Fault)> Faults = new()
    {
        ["a safetensors header length beyond the file"] = ("lie.safetensors", Bytes(WeightFileBytes.Safetensors("{}", 0, declaredLength: 1_000_000_000)), "the header length says 1,000,000,000 bytes, but only 2 follow it"),
        ["a safetensors header over 100 MB"] = ("huge-header.safetensors", Sparse(WeightFileBytes.Safetensors("{}", 0, declaredLength: 200_000_000), 200_000_100), "the header has 200,000,000 bytes, over the 100,000,000"),
        ["an empty safetensors file"] = ("empty.safetensors", Bytes(Array.Empty<byte>()), "the file is empty"),
        ["a safetensors file shorter than its length field"] = ("short.safetensors", Bytes(new byte[] { 2, 0, 0 }), "the file has 3 bytes; a safetensors file starts with an 8-byte header length"),
        ["a safetensors header that is not JSON"] = ("not-json.safetensors", Bytes(WeightFileBytes.Safetensors("weights!", 0)), "the header is not valid JSON"),
        ["a safetensors header that is a JSON array"] = ("array.safetensors", Bytes(WeightFileBytes.Safetensors("[1, 2]", 0)), "the header is a JSON array, not an object of tensors"),
        ["an unknown dtype"] = ("dtype.safetensors", Bytes(WeightFileBytes.Safetensors("""{"w": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}}""", 8)), "tensor 'w' has dtype 'Q7', which NetGen does not read"),
        ["a negative dimension"] = ("negative.safetensors", Bytes(WeightFileBytes.Safetensors("""{"w": {"dtype": "F32", "shape": [-1, 4], "data_offsets": [0, 16]}}""", 16)), "tensor 'w' has the negative dimension -1 in its shape [-1, 4]"),
        ["a dimension that is not an integer"] = ("fraction.safetensors", Bytes(WeightFileBytes.Safetensors("""{"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}}""", 8)), "tensor 'w' has shape [2.5], which holds something other than 64-bit integers"),
        ["a shape whose byte count overflows"] = ("overflow.safetensors", Bytes(WeightFileBytes.Safetensors("""{"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 16]}}""", 16)), "whose byte count does not fit in 64 bits"),
        ["data offsets outside the file"] = ("offsets.safetensors", Bytes(WeightFileBytes.Safetensors("""{"w": {"dtype": "F32", "shape": [250], "data_offsets": [0, 1000]}}""", 16)), "tensor 'w' has data_offsets [0, 1000] outside the data section, which has 16 bytes"),
        ["a 100000x100000 shape over 16 bytes"] = ("big.safetensors", Bytes(WeightFileBytes.Safetensors("""{"w": {"dtype": "F32", "shape": [100000, 100000], "data_offsets": [0, 16]}}""", 16)), "needs 40,000,000,000 bytes, but its data_offsets [0, 16] hold 16"),
        ["two tensors over the same bytes"] = ("overlap.safetensors", Bytes(WeightFileBytes.Safetensors("""{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "b": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}""", 16)), "tensors 'a' and 'b' overlap in the data section"),
        ["a tensor named twice"] = ("twice.safetensors", Bytes(WeightFileBytes.Safetensors("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""", 8)), "the header names 'w' twice"),
        ["a header that is not UTF-8"] = ("latin1.safetensors", Bytes(WeightFileBytes.Safetensors(Encoding.Latin1.GetBytes("{\"caf\u00e9\": 1}"), 0)), "the header is not UTF-8 text"),
        ["a tensor name that is a lone surrogate"] = ("surrogate.safetensors", Bytes(WeightFileBytes.Safetensors("""{"\ud800": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""", 4)), "the header has a name or string that is not valid Unicode"),
        ["metadata that is not strings"] = ("metadata.safetensors", Bytes(WeightFileBytes.Safetensors("""{"__metadata__": {"epoch": 3}}""", 0)), "its __metadata__ is not an object of strings"),
        ["an empty .pt"] = ("empty.pt", Bytes(Array.Empty<byte>()), "not a valid torch.save file: the file is empty"),
        ["a truncated .pt"] = ("truncated.pt", Bytes(WeightFileBytes.TorchSave(new[] { 2, 2 }, 4)[..200]), "the zip archive is damaged or cut short"),
        ["a .pt that is not a zip archive"] = ("text.pt", Bytes("not weights"u8.ToArray()), "it is not a zip archive, which torch.save has written since PyTorch 1.6"),
        ["a zip archive without data.pkl"] = ("other.pt", Bytes(WeightFileBytes.Zip(("readme.txt", "hello"u8.ToArray()))), "the zip archive has no data.pkl"),
        ["a pickle of garbage"] = ("garbage.pt", Bytes(WeightFileBytes.Zip(("archive/data.pkl", new byte[] { 0x80, 2, 0xff, 0xfe, 0x00 }))), "its pickle cannot be read"),
        ["a .pt tensor of 100000x100000 over 16 bytes"] = ("big.pt", Bytes(WeightFileBytes.TorchSave(new[] { 100000, 100000 }, 4)), "tensor 'w' has shape [100000, 100000] of Float32, which needs 40,000,000,000 bytes, but its storage holds 16"),
        ["a storage entry that claims more than zip can pack"] = ("claims.pt", Bytes(WeightFileBytes.WithClaimedLength(WeightFileBytes.TorchSave(new[] { 16384, 16384 }, 4), "archive/data/0", 1u << 30)), "archive entry 'archive/data/0' claims 1,073,741,824 bytes from 16 stored"),
        ["a pickle over 100 MB"] = ("long-pickle.pt", Bytes(WeightFileBytes.WithClaimedLength(WeightFileBytes.TorchSave(new[] { 2 }, 2), "archive/data.pkl", 200_000_000)), "its pickle has 200,000,000 bytes, over the 100,000,000 NetGen reads"),
        ["a TorchSharp-format file of garbage"] = ("garbage.dat", Bytes(new byte[] { 0xff, 0xff, 0xff }), "it does not hold"),
        ["a missing file"] = ("missing.pt", _ => { }, "the path does not exist"),
        ["a directory named like weights"] = ("folder.safetensors", path => Directory.CreateDirectory(path), "the path is a directory"),
        ["/dev/zero"] = ("/dev/zero", _ => { }, "the path is a character device, not a regular file"),
        ["a link to /dev/zero"] = ("zero.safetensors", path => File.CreateSymbolicLink(path, "/dev/zero"), "the path is a character device, not a regular file"),
        ["a FIFO"] = ("pipe.pt", path => Assert.Equal(0, MakeFifo(path, 0x180)), "the path is a named pipe (FIFO), not a regular file"),
    };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-malformed-" + Guid.NewGuid().ToString("N"));

    public MalformedWeightsTests() => Directory.CreateDirectory(_folder);

    public static TheoryData<string> FaultCases => new(Faults.Keys);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(FaultCases))]
    public async Task A_malformed_weights_file_is_a_WeightLoadException_naming_the_file_before_anything_is_allocated(string fault)
    {
        var (file, create, message) = Faults[fault];
        var path = Path.Combine(_folder, file);
        create(path);
        using var network = nn.Linear(4, 4);

        // A FIFO that were opened would block forever: fail instead of hanging the run.
        var load = Task.Run(() => Load(network, path));
        Assert.Same(load, await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(30))));
        var (exception, allocated, tensors) = await load;

        var error = Assert.IsType<WeightLoadException>(exception);
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith($"cannot load weights from '{path}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationAllowance, $"{allocated:#,0} bytes allocated before failing");
        Assert.Equal(0, tensors);
    }

    [Fact]
    public void The_hand_written_torch_save_file_loads_when_its_storage_holds_its_shape()
    {
        // The oversized case above is refused for its size alone: the same bytes with a true shape load.
        var path = Path.Combine(_folder, "true.pt");
        File.WriteAllBytes(path, WeightFileBytes.TorchSave(new[] { 2, 2 }, 4));
        var tensorsBefore = TensorsCreated();

        var state = Weights.ReadStateDict(path);

        Assert.Equal(new long[] { 2, 2 }, Assert.Single(state).Value.shape);
        Assert.True(TensorsCreated() > tensorsBefore, "the tensor count that proves nothing was allocated sees this tensor");
    }

    [Fact]
    public void The_hand_written_safetensors_file_loads_when_its_offsets_hold_its_shape()
    {
        var path = Path.Combine(_folder, "true.safetensors");
        File.WriteAllBytes(path, WeightFileBytes.Safetensors("""{"__metadata__": {"format": "pt"}, "w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}""", 16));
        var tensorsBefore = TensorsCreated();

        var state = Weights.ReadStateDict(path);

        Assert.Equal(new long[] { 2, 2 }, Assert.Single(state).Value.shape);
        Assert.True(TensorsCreated() > tensorsBefore, "the tensor count that proves nothing was allocated sees this tensor");
    }

    [Theory]
    [InlineData("tiny.pt")]
    [InlineData("tiny.safetensors")]
    [InlineData("tiny.dat")]
    public void Random_damage_gives_either_weights_or_a_WeightLoadException(string file)
    {
        var path = Path.Combine(_folder, file);
        using (var tiny = new TinyResNet())
        {
            tiny.SaveWeights(path);
        }

        var original = File.ReadAllBytes(path);
        var random = new Random(14);
        var damaged = Enumerable.Range(0, 40).Select(i => original[..(original.Length * i / 40)])
            .Concat(Enumerable.Range(0, 400).Select(_ => Flipped(original, random)));
        using var network = new TinyResNet();
        foreach (var bytes in damaged)
        {
            File.WriteAllBytes(path, bytes);
            using var scope = NewDisposeScope();
            var error = Record.Exception(() => network.LoadWeights(path));
            Assert.True(error is null or WeightLoadException, $"{bytes.Length} of {original.Length} bytes: {error}");
        }
    }

    /// <summary>One to three bytes changed, mostly in the first and last 4 KB, where headers, pickles and zip directories are.</summary>
    private static byte[] Flipped(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        var edge = Math.Min(4096, bytes.Length);
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            var at = random.Next(3) switch
            {
                0 => random.Next(edge),
                1 => bytes.Length - 1 - random.Next(edge),
                _ => random.Next(bytes.Length),
            };
            bytes[at] ^= (byte)random.Next(1, 256);
        }

        return bytes;
    }

    private static Action<string> Bytes(byte[] bytes) => path => File.WriteAllBytes(path, bytes);

    /// <summary>The bytes, then zeros up to <paramref name="length"/> that take no disk space.</summary>
    private static Action<string> Sparse(byte[] bytes, long length) => path =>
    {
        using var file = File.Create(path);
        file.Write(bytes);
        file.SetLength(length);
    };

    /// <summary>Loads on this thread and says what it threw, the managed bytes it allocated and the tensors it created.</summary>
    private static (Exception? Error, long Allocated, long Tensors) Load(nn.Module network, string path)
    {
        using var scope = NewDisposeScope();
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var tensors = TensorsCreated();
        var error = Record.Exception(() => network.LoadWeights(path));
        return (error, GC.GetAllocatedBytesForCurrentThread() - bytes, TensorsCreated() - tensors);
    }

    /// <summary>Tensors this thread has created so far, in dispose scopes or not.</summary>
    private static long TensorsCreated()
    {
        var statistics = DisposeScopeManager.Statistics.TensorStatistics;
        return statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
}
