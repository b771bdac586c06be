using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using NetGen.Examples.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>Fashion-MNIST reading and splitting.</summary>
public sealed class DataTests : IDisposable
{
    private const int ImageMagic = 0x803;
    private const int LabelMagic = 0x801;

    /// <summary>Each corrupt input, by name: its bytes and whether it is read as labels (else as images).</summary>
    private static readonly Dictionary<string, (byte[] Bytes, bool Labels)> Corrupt = new()
    {
        ["an empty stream"] = (Array.Empty<byte>(), false),
        ["a label file read as images"] = (ValidLabels(), false),
        ["an image file read as labels"] = (ValidImages(), true),
        ["an unknown magic"] = (Idx(0x804, new[] { 3, 2, 4 }, new byte[24]), false),
        ["a truncated header"] = (ValidImages()[..10], false),
        ["a negative count"] = (Idx(ImageMagic, new[] { -1, 2, 4 }, Array.Empty<byte>()), false),
        ["an absurd count"] = (Idx(LabelMagic, new[] { 10_000_001 }, Array.Empty<byte>()), true),
        ["zero rows"] = (Idx(ImageMagic, new[] { 3, 0, 4 }, Array.Empty<byte>()), false),
        ["negative columns"] = (Idx(ImageMagic, new[] { 3, 2, -4 }, Array.Empty<byte>()), false),
        ["images over 4096 pixels"] = (Idx(ImageMagic, new[] { 1, 65, 65 }, new byte[65 * 65]), false),
        ["sizes whose product overflows"] = (Idx(ImageMagic, new[] { 1, 65536, 65536 }, Array.Empty<byte>()), false),
        ["more data than an array holds"] = (Idx(ImageMagic, new[] { 10_000_000, 64, 64 }, new byte[64]), false),
        ["a million images promised, one given"] = (Idx(ImageMagic, new[] { 1_000_000, 28, 28 }, new byte[784]), false),
        ["truncated image data"] = (ValidImages()[..^1], false),
        ["truncated label data"] = (ValidLabels()[..^1], true),
        ["trailing bytes after images"] = ([.. ValidImages(), 0], false),
        ["trailing bytes after labels"] = ([.. ValidLabels(), 0], true),
        ["a label above 9"] = (Idx(LabelMagic, new[] { 3 }, new byte[] { 1, 10, 2 }), true),
        ["gzip magic then garbage"] = (new byte[] { 0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05 }, false),
        ["a reserved deflate block type"] = (new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x07, 0xff, 0xff }, false),
        ["a truncated gzip stream"] = (Gzip(ValidImages())[..20], false),
        ["gzip without its trailer"] = (Gzip(ValidImages())[..^8], false),
        ["gzip with a wrong CRC"] = (WithByteFlipped(Gzip(ValidLabels()), ^8), true),
        ["gzip with a wrong length"] = (WithByteFlipped(Gzip(ValidLabels()), ^4), true),
        ["bytes after the gzip stream"] = ([.. Gzip(ValidLabels()), 0], true),
        ["gzip holding trailing bytes"] = (Gzip([.. ValidLabels(), 7]), true),
        ["gzip holding a label above 9"] = (Gzip(Idx(LabelMagic, new[] { 1 }, new byte[] { 200 })), true),
    };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-data-" + Guid.NewGuid().ToString("N"));

    public DataTests() => Directory.CreateDirectory(_folder);

    public static TheoryData<string> CorruptCases => new(Corrupt.Keys);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Valid_IDX_files_read_back_their_pixels_and_labels_raw_or_gzipped(bool gzip)
    {
        var images = ValidImages();
        var labels = ValidLabels();
        var (pixels, count, rows, columns) = FashionMnist.ReadImages(new MemoryStream(gzip ? Gzip(images) : images));
        Assert.Equal((3, 2, 4), (count, rows, columns));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)(i * 10)), pixels);
        Assert.Equal(new byte[] { 0, 9, 5 }, FashionMnist.ReadLabels(new MemoryStream(gzip ? Gzip(labels) : labels)));
    }

    [Theory]
    [MemberData(nameof(CorruptCases))]
    public void Corrupt_input_gives_a_DataFormatException_naming_the_file(string corruption)
    {
        var (bytes, labels) = Corrupt[corruption];
        var path = Path.Combine(_folder, "corrupt.idx");
        File.WriteAllBytes(path, bytes);
        using var file = File.OpenRead(path);
        var error = Assert.Throws<DataFormatException>(() => Read(file, labels));
        Assert.Equal(path, error.FileName);
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_damage_gives_either_data_or_a_DataFormatException_and_never_hangs()
    {
        var random = new Random(2024);
        var originals = new[] { (ValidImages(), false), (ValidLabels(), true), (Gzip(ValidImages()), false), (Gzip(ValidLabels()), true) };
        foreach (var (original, labels) in originals)
        {
            for (var length = 0; length < original.Length; length++)
            {
                var cut = original[..length];
                var error = Record.Exception(() => Read(new MemoryStream(cut), labels));
                Assert.True(error is DataFormatException, $"{length} of {original.Length} bytes: {error?.GetType().Name ?? "no exception"}");
            }

            for (var trial = 0; trial < 300; trial++)
            {
                var damaged = (byte[])original.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
                }

                try
                {
                    Read(new MemoryStream(damaged), labels);
                }
                catch (DataFormatException)
                {
                    // The other allowed outcome; anything else fails the test.
                }
            }
        }
    }

    [Fact]
    public void The_embedded_default_splits_8000_1000_1000_and_outlives_the_dispose_scope_it_was_loaded_in()
    {
        DataSet loaded;
        using (NewDisposeScope())
        {
            loaded = FashionMnist.LoadEmbedded(seed: 1);
        }

        using var data = loaded;
        Assert.Equal((8000, 1000, 1000), (data.Train.Count, data.Validation.Count, data.Test.Count));
        Assert.Equal("embedded Fashion-MNIST test set (8,000 / 1,000 / 1,000)", data.Source);
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            Assert.Equal(new long[] { split.Count, 1, 28, 28 }, split.Images.shape);
            Assert.Equal(ScalarType.Float32, split.Images.dtype);
            Assert.Equal(ScalarType.Int64, split.Labels.dtype);
            Assert.Equal(new long[] { split.Count }, split.Labels.shape);
            Assert.Equal(DeviceType.CPU, split.Images.device_type);
            Assert.False(split.Images.IsInvalid);
            Assert.False(split.Labels.IsInvalid);
        }
    }

    [Fact]
    public void The_embedded_default_is_the_same_for_a_seed_and_differs_across_seeds()
    {
        using var scope = NewDisposeScope();
        using var first = FashionMnist.LoadEmbedded(seed: 5, limit: 300);
        using var again = FashionMnist.LoadEmbedded(seed: 5, limit: 300);
        using var other = FashionMnist.LoadEmbedded(seed: 6, limit: 300);
        Assert.Equal((300, 300, 300), (first.Train.Count, first.Validation.Count, first.Test.Count));
        Assert.True(first.Train.Images.eq(again.Train.Images).all().item<bool>());
        Assert.True(first.Validation.Labels.eq(again.Validation.Labels).all().item<bool>());
        Assert.True(first.Test.Images.eq(again.Test.Images).all().item<bool>());
        Assert.False(first.Train.Images.eq(other.Train.Images).all().item<bool>());
    }

    [Fact]
    public void Labels_are_classes_0_to_9_and_every_class_appears()
    {
        using var data = FashionMnist.LoadEmbedded(seed: 3);
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            var labels = split.Labels.data<long>().ToArray();
            Assert.All(labels, l => Assert.InRange(l, 0, 9));
            Assert.Equal(10, labels.Distinct().Count());
        }
    }

    [Fact]
    public void Images_are_normalized_to_mean_0_and_std_1()
    {
        using var data = FashionMnist.LoadEmbedded(seed: 2);
        using var scope = NewDisposeScope();
        var images = data.Train.Images;
        Assert.InRange(images.mean().item<float>(), -0.03f, 0.03f);
        Assert.InRange(images.std().item<float>(), 0.97f, 1.03f);
    }

    [Fact]
    public void A_folder_missing_files_names_each_missing_one()
    {
        File.WriteAllBytes(Path.Combine(_folder, "train-images-idx3-ubyte.gz"), Array.Empty<byte>());
        var error = Assert.Throws<DataFormatException>(() => FashionMnist.Load(_folder, seed: 1));
        Assert.Equal(_folder, error.FileName);
        Assert.DoesNotContain("train-images", error.Message, StringComparison.Ordinal);
        Assert.Contains("train-labels-idx1-ubyte", error.Message, StringComparison.Ordinal);
        Assert.Contains("t10k-images-idx3-ubyte", error.Message, StringComparison.Ordinal);
        Assert.Contains("t10k-labels-idx1-ubyte", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_splits_a_twelfth_of_its_training_images_off_for_validation_and_keeps_its_test_order()
    {
        WriteFolder(train: 24, test: 12, gzipTest: true);
        using var data = FashionMnist.Load(_folder, seed: 9);
        Assert.Equal((22, 2, 12), (data.Train.Count, data.Validation.Count, data.Test.Count));
        Assert.Equal($"{_folder} (24 + 12)", data.Source);

        // Image i is filled with the value 10 i, so the normalized pixels say which image landed where.
        int[] Ids(Split split) => split.Images.select(2, 0).select(2, 0).squeeze(1).data<float>().ToArray()
            .Select(v => (int)Math.Round(((v * FashionMnist.Std) + FashionMnist.Mean) * 255 / 10)).ToArray();
        Assert.Equal(Enumerable.Range(0, 24), Ids(data.Train).Concat(Ids(data.Validation)).Order());
        Assert.NotEqual(Enumerable.Range(0, 22), Ids(data.Train));
        Assert.Equal(Enumerable.Range(0, 12), Ids(data.Test));
        Assert.Equal(Ids(data.Test).Select(i => (long)(i % 10)), data.Test.Labels.data<long>().ToArray());
        Assert.Equal(Ids(data.Train).Select(i => (long)(i % 10)), data.Train.Labels.data<long>().ToArray());
    }

    [Fact]
    public void A_folder_whose_image_and_label_counts_differ_is_a_DataFormatException()
    {
        WriteFolder(train: 24, test: 12, gzipTest: false);
        File.WriteAllBytes(Path.Combine(_folder, "t10k-labels-idx1-ubyte"), Idx(LabelMagic, new[] { 11 }, new byte[11]));
        var error = Assert.Throws<DataFormatException>(() => FashionMnist.Load(_folder, seed: 1));
        Assert.Contains("12 images but 11 labels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_folder_the_system_data_is_used_when_installed_else_the_embedded_set()
    {
        using var data = FashionMnist.Load(folder: null, seed: 1, limit: 50);
        Assert.Equal((50, 50, 50), (data.Train.Count, data.Validation.Count, data.Test.Count));
        if (File.Exists(Path.Combine(FashionMnist.SystemFolder, "train-images-idx3-ubyte.gz")))
        {
            Assert.Equal($"{FashionMnist.SystemFolder} (60,000 + 10,000), first 50 / 50 / 50", data.Source);
        }
        else
        {
            Assert.StartsWith("embedded", data.Source, StringComparison.Ordinal);
        }
    }

    private static object Read(Stream stream, bool labels) => labels ? FashionMnist.ReadLabels(stream) : FashionMnist.ReadImages(stream);

    /// <summary>Three 2x4 images holding 0, 10, ..., 230.</summary>
    private static byte[] ValidImages() => Idx(ImageMagic, new[] { 3, 2, 4 }, Enumerable.Range(0, 24).Select(i => (byte)(i * 10)).ToArray());

    private static byte[] ValidLabels() => Idx(LabelMagic, new[] { 3 }, new byte[] { 0, 9, 5 });

    private static byte[] Idx(int magic, int[] sizes, byte[] data)
    {
        var bytes = new byte[4 + (4 * sizes.Length) + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (var i = 0; i < sizes.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), sizes[i]);
        }

        data.CopyTo(bytes, 4 + (4 * sizes.Length));
        return bytes;
    }

    private static byte[] WithByteFlipped(byte[] bytes, Index at)
    {
        bytes[at] ^= 0xff;
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }

        return compressed.ToArray();
    }

    /// <summary>28x28 Fashion-MNIST-shaped files: image i filled with 10 i, label i mod 10.</summary>
    private void WriteFolder(int train, int test, bool gzipTest)
    {
        void Write(string name, int count, bool gzip)
        {
            var images = Idx(ImageMagic, new[] { count, 28, 28 }, Enumerable.Range(0, count).SelectMany(i => Enumerable.Repeat((byte)(10 * i), 784)).ToArray());
            var labels = Idx(LabelMagic, new[] { count }, Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray());
            var suffix = gzip ? ".gz" : string.Empty;
            File.WriteAllBytes(Path.Combine(_folder, $"{name}-images-idx3-ubyte{suffix}"), gzip ? Gzip(images) : images);
            File.WriteAllBytes(Path.Combine(_folder, $"{name}-labels-idx1-ubyte{suffix}"), gzip ? Gzip(labels) : labels);
        }

        Write("train", train, gzip: false);
        Write("t10k", test, gzipTest);
    }
}
