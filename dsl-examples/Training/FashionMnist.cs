using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>A data file that is not what it claims to be: names the file and what is wrong with it.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="fileName"/>.</summary>
    public DataFormatException(string fileName, string problem, Exception? inner = null)
        : base($"{fileName}: {problem}", inner)
    {
        FileName = fileName;
    }

    /// <summary>The file (or folder, or stream description) the problem was found in.</summary>
    public string FileName { get; }
}

/// <summary>
/// One split of images and labels, ready for a network: owns its two CPU tensors. Images are float32
/// N×1×28×28, normalized with Fashion-MNIST's mean and std; labels are int64 N.
/// </summary>
public sealed class Split : IDisposable
{
    /// <summary>Wraps the tensors; the split takes ownership of both.</summary>
    public Split(Tensor images, Tensor labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>Float32 N×1×28×28, normalized.</summary>
    public Tensor Images { get; }

    /// <summary>Int64 N, class indices 0..9.</summary>
    public Tensor Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => (int)Labels.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>Training, validation and test splits, and where they came from.</summary>
public sealed class DataSet : IDisposable
{
    /// <summary>Bundles the splits; the data set takes ownership of them.</summary>
    public DataSet(Split train, Split validation, Split test, string source)
    {
        Train = train;
        Validation = validation;
        Test = test;
        Source = source;
    }

    /// <summary>The images to train on.</summary>
    public Split Train { get; }

    /// <summary>Held out from training, for choosing epochs and hyperparameters.</summary>
    public Split Validation { get; }

    /// <summary>Held out from everything, for the final figure.</summary>
    public Split Test { get; }

    /// <summary>Where the data came from and how many images it held, for logs and reports.</summary>
    public string Source { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}

/// <summary>
/// Fashion-MNIST (Zalando, MIT licence): IDX readers and a loader that falls back from a given folder to
/// the system folder (Debian's dataset-fashion-mnist) to the test set embedded in this assembly.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs the files.</summary>
    public const string SystemFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's pixel mean (of the training set, pixels scaled to 0..1).</summary>
    public const float Mean = 0.2860f;

    /// <summary>Fashion-MNIST's pixel standard deviation (of the training set, pixels scaled to 0..1).</summary>
    public const float Std = 0.3530f;

    // Caps that no real IDX image file comes near; they turn a corrupt header into an error instead of
    // an attempt to allocate or read gigabytes.
    private const int MaxCount = 10_000_000;
    private const int MaxPixelsPerImage = 4096;
    private const int ImageMagic = 0x00000803;
    private const int LabelMagic = 0x00000801;
    private const int FullValidation = 5000;
    private const int Side = 28;
    private const string TrainImages = "train-images-idx3-ubyte";
    private const string TrainLabels = "train-labels-idx1-ubyte";
    private const string TestImages = "t10k-images-idx3-ubyte";
    private const string TestLabels = "t10k-labels-idx1-ubyte";
    private const string ResourcePrefix = "NetGen.Examples.Data.";

    /// <summary>The ten class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>
    /// Loads the data set. With a <paramref name="folder"/>, its four IDX files (raw or .gz) are read, the
    /// last 5,000 of a seeded shuffle of the training images become the validation split, and the test
    /// set is the test file. Without one, the system folder is used when it has the files, else the
    /// embedded test set (<see cref="LoadEmbedded"/>). <paramref name="limit"/> keeps the first N of each split.
    /// </summary>
    /// <exception cref="DataFormatException">A file is missing or corrupt.</exception>
    public static DataSet Load(string? folder, int seed, int? limit = null)
    {
        if (folder is null)
        {
            return MissingFiles(SystemFolder).Count == 0 ? LoadFolder(SystemFolder, seed, limit) : LoadEmbedded(seed, limit);
        }

        var missing = MissingFiles(folder);
        if (missing.Count > 0)
        {
            throw new DataFormatException(folder, $"missing {string.Join(", ", missing)} (each may also end in .gz)");
        }

        return LoadFolder(folder, seed, limit);
    }

    /// <summary>
    /// Loads the Fashion-MNIST test set embedded in this assembly, shuffled with <paramref name="seed"/> and
    /// split 80/10/10 (8,000 train, 1,000 validation, 1,000 test). Small enough to ship, big enough to
    /// train a network to a meaningful accuracy.
    /// </summary>
    public static DataSet LoadEmbedded(int seed, int? limit = null)
    {
        var (pixels, count, rows, columns) = ReadResource(TestImages + ".gz", s => ReadImages(s, "embedded " + TestImages));
        var labels = ReadResource(TestLabels + ".gz", s => ReadLabels(s, "embedded " + TestLabels));
        CheckPair("embedded Fashion-MNIST", count, rows, columns, labels.Length);
        var order = Shuffle(count, seed);
        var trainCount = count * 8 / 10;
        var validationCount = count / 10;
        var train = Take(order, 0, trainCount, limit);
        var validation = Take(order, trainCount, validationCount, limit);
        var test = Take(order, trainCount + validationCount, count - trainCount - validationCount, limit);
        var source = Invariant($"embedded Fashion-MNIST test set ({train.Length:N0} / {validation.Length:N0} / {test.Length:N0})");
        return Build(pixels, labels, pixels, labels, train, validation, test, source);
    }

    /// <summary>Reads an IDX image file (raw or gzip): all pixels, row-major, one byte each.</summary>
    /// <param name="stream">The file's bytes; read to its end.</param>
    /// <param name="name">Names the data in error messages; defaults to the file's path or "stream".</param>
    /// <exception cref="DataFormatException">The bytes are not a well-formed IDX image file.</exception>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(Stream stream, string? name = null)
    {
        name ??= NameOf(stream);
        return Parse(stream, name, s =>
        {
            var header = ReadHeader(s, name, ImageMagic, 16, "images");
            var (count, rows, columns) = (header[0], header[1], header[2]);
            if (rows <= 0 || columns <= 0 || (long)rows * columns > MaxPixelsPerImage)
            {
                throw new DataFormatException(name, Invariant($"image size {rows}x{columns} is not between 1 and {MaxPixelsPerImage} pixels"));
            }

            var pixels = ReadBody(s, name, (long)count * rows * columns);
            return (pixels, count, rows, columns);
        });
    }

    /// <summary>Reads an IDX label file (raw or gzip): one byte per image, each 0..9.</summary>
    /// <param name="stream">The file's bytes; read to its end.</param>
    /// <param name="name">Names the data in error messages; defaults to the file's path or "stream".</param>
    /// <exception cref="DataFormatException">The bytes are not a well-formed label file or a label exceeds 9.</exception>
    public static byte[] ReadLabels(Stream stream, string? name = null)
    {
        name ??= NameOf(stream);
        return Parse(stream, name, s =>
        {
            var count = ReadHeader(s, name, LabelMagic, 8, "labels")[0];
            var labels = ReadBody(s, name, count);
            var bad = Array.FindIndex(labels, l => l > 9);
            if (bad >= 0)
            {
                throw new DataFormatException(name, Invariant($"label {labels[bad]} at index {bad} is not a class 0..9"));
            }

            return labels;
        });
    }

    private static DataSet LoadFolder(string folder, int seed, int? limit)
    {
        var (trainPixels, trainCount, rows, columns) = ReadFile(folder, TrainImages, ReadImages);
        var trainLabels = ReadFile(folder, TrainLabels, ReadLabels);
        CheckPair(Path.Combine(folder, "train-*"), trainCount, rows, columns, trainLabels.Length);
        var (testPixels, testCount, testRows, testColumns) = ReadFile(folder, TestImages, ReadImages);
        var testLabels = ReadFile(folder, TestLabels, ReadLabels);
        CheckPair(Path.Combine(folder, "t10k-*"), testCount, testRows, testColumns, testLabels.Length);

        // 5,000 of 60,000 is what the usual recipe holds out; smaller custom sets keep that 1/12 share.
        var order = Shuffle(trainCount, seed);
        var validationCount = Math.Min(FullValidation, trainCount / 12);
        var train = Take(order, 0, trainCount - validationCount, limit);
        var validation = Take(order, trainCount - validationCount, validationCount, limit);
        var test = Take(Enumerable.Range(0, testCount).ToArray(), 0, testCount, limit);
        var source = Invariant($"{folder} ({trainCount:N0} + {testCount:N0})");
        if (limit is not null)
        {
            source += Invariant($", first {train.Length:N0} / {validation.Length:N0} / {test.Length:N0}");
        }

        return Build(trainPixels, trainLabels, testPixels, testLabels, train, validation, test, source);
    }

    /// <summary>Builds the three splits from images chosen by index (all 28x28, checked by <see cref="CheckPair"/>).</summary>
    private static DataSet Build(byte[] pixels, byte[] labels, byte[] testPixels, byte[] testLabels, int[] train, int[] validation, int[] test, string source)
    {
        Split? trainSplit = null, validationSplit = null;
        try
        {
            trainSplit = BuildSplit(pixels, labels, train);
            validationSplit = BuildSplit(pixels, labels, validation);
            return new DataSet(trainSplit, validationSplit, BuildSplit(testPixels, testLabels, test), source);
        }
        catch
        {
            // Tensors live outside any dispose scope, so a failure half-way must free what was built.
            trainSplit?.Dispose();
            validationSplit?.Dispose();
            throw;
        }
    }

    /// <summary>Normalizes the chosen images into CPU tensors that belong to no dispose scope: the split owns them.</summary>
    private static Split BuildSplit(byte[] pixels, byte[] labels, int[] indices)
    {
        const int size = Side * Side;
        var images = new float[(long)indices.Length * size];
        var targets = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            var from = (long)indices[i] * size;
            var to = (long)i * size;
            for (var p = 0; p < size; p++)
            {
                images[to + p] = ((pixels[from + p] / 255f) - Mean) / Std;
            }

            targets[i] = labels[indices[i]];
        }

        var imageTensor = tensor(images, new long[] { indices.Length, 1, Side, Side }).DetachFromDisposeScope();
        var labelTensor = tensor(targets, new long[] { indices.Length }).DetachFromDisposeScope();
        return new Split(imageTensor, labelTensor);
    }

    /// <summary>Fisher-Yates with <see cref="Random"/>(seed), whose sequence .NET keeps stable for a given seed.</summary>
    private static int[] Shuffle(int count, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var random = new Random(seed);
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static int[] Take(int[] order, int start, int count, int? limit) =>
        order.AsSpan(start, Math.Min(count, Math.Max(0, limit ?? int.MaxValue))).ToArray();

    private static void CheckPair(string name, int images, int rows, int columns, int labels)
    {
        if (rows != Side || columns != Side)
        {
            throw new DataFormatException(name, Invariant($"images are {rows}x{columns}, Fashion-MNIST's are 28x28"));
        }

        if (images != labels)
        {
            throw new DataFormatException(name, Invariant($"{images:N0} images but {labels:N0} labels"));
        }
    }

    private static List<string> MissingFiles(string folder) =>
        new[] { TrainImages, TrainLabels, TestImages, TestLabels }.Where(f => FindFile(folder, f) is null).ToList();

    private static string? FindFile(string folder, string name) =>
        new[] { name, name + ".gz" }.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);

    private static T ReadFile<T>(string folder, string name, Func<Stream, string?, T> read)
    {
        var path = FindFile(folder, name) ?? throw new DataFormatException(folder, $"missing {name}");
        using var stream = File.OpenRead(path);
        return read(stream, path);
    }

    private static T ReadResource<T>(string name, Func<Stream, T> read)
    {
        // A missing resource is a build problem, not corrupt data, so it is not a DataFormatException.
        using var stream = typeof(FashionMnist).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"resource {ResourcePrefix}{name} is not embedded in {typeof(FashionMnist).Assembly.GetName().Name}");
        return read(stream);
    }

    private static string NameOf(Stream stream) => stream is FileStream file ? file.Name : "stream";

    /// <summary>
    /// Runs <paramref name="read"/> on the raw or decompressed bytes. GZipStream checks the CRC-32 of a
    /// complete stream but stops quietly where the input ends, so a file cut short after its last data
    /// byte would pass: the trailer's length field (the last 4 bytes) is checked here. (A file of several
    /// concatenated gzip members fails that check; gzip and the Fashion-MNIST files write one.)
    /// </summary>
    private static T Parse<T>(Stream stream, string name, Func<Stream, T> read)
    {
        var head = new byte[2];
        var got = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        using var source = new Tap(stream, head.AsSpan(0, got).ToArray());
        if (got < 2 || head[0] != 0x1f || head[1] != 0x8b)
        {
            return read(source);
        }

        try
        {
            using var data = new Tap(new GZipStream(source, CompressionMode.Decompress), Array.Empty<byte>());
            var result = read(data);
            source.CopyTo(Stream.Null); // whatever GZipStream left unread must be the trailer's end, or it is garbage
            if (source.Count < 18 || BinaryPrimitives.ReadUInt32LittleEndian(source.Tail) != (uint)data.Count)
            {
                throw new DataFormatException(name, "gzip stream does not end in a trailer that matches the data's length (truncated, or bytes after it)");
            }

            return result;
        }
        catch (InvalidDataException e)
        {
            // .NET's messages here are generic (a bad CRC reads "unsupported compression method").
            throw new DataFormatException(name, $"gzip data is damaged ({e.Message})", e);
        }
    }

    /// <summary>Reads the magic and the dimension sizes (big-endian); returns the sizes.</summary>
    private static int[] ReadHeader(Stream s, string name, int magic, int length, string what)
    {
        var header = new byte[length];
        var got = s.ReadAtLeast(header, length, throwOnEndOfStream: false);
        if (got < 4 || ReadInt(header, 0) != magic)
        {
            var found = got < 4 ? "fewer than 4 bytes" : Invariant($"magic 0x{ReadInt(header, 0):X8}");
            throw new DataFormatException(name, Invariant($"not an IDX {what} file: expected magic 0x{magic:X8}, found {found}"));
        }

        if (got < length)
        {
            throw new DataFormatException(name, Invariant($"header truncated: {got} of {length} bytes"));
        }

        var sizes = new int[(length / 4) - 1];
        for (var i = 0; i < sizes.Length; i++)
        {
            sizes[i] = ReadInt(header, 4 * (i + 1));
        }

        if (sizes[0] < 0 || sizes[0] > MaxCount)
        {
            throw new DataFormatException(name, Invariant($"count {sizes[0]:N0} is not between 0 and {MaxCount:N0}"));
        }

        return sizes;
    }

    /// <summary>
    /// Reads exactly <paramref name="length"/> bytes and then demands the end of the stream. The buffer
    /// grows with what actually arrives, so a header that promises gigabytes costs nothing until they come.
    /// </summary>
    private static byte[] ReadBody(Stream s, string name, long length)
    {
        if (length > Array.MaxLength)
        {
            throw new DataFormatException(name, Invariant($"header promises {length:N0} bytes of data, more than one array holds"));
        }

        var data = new byte[Math.Min(length, 1 << 20)];
        var filled = 0;
        while (filled < length)
        {
            if (filled == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
            }

            var n = s.Read(data, filled, data.Length - filled);
            if (n == 0)
            {
                throw new DataFormatException(name, Invariant($"data truncated: {filled:N0} of {length:N0} bytes"));
            }

            filled += n;
        }

        if (s.Read(new byte[1], 0, 1) != 0)
        {
            throw new DataFormatException(name, Invariant($"trailing bytes after the {length:N0} bytes of data"));
        }

        return data;
    }

    private static int ReadInt(byte[] bytes, int offset) =>
        (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A read-only pass-through that first replays the bytes already read to sniff the gzip magic, and
    /// counts what it reads and keeps the last 4 bytes. Owns the inner stream only when it wraps a
    /// GZipStream; the caller's stream stays the caller's.
    /// </summary>
    private sealed class Tap : Stream
    {
        private readonly Stream _inner;
        private readonly byte[] _prefix;
        private readonly byte[] _tail = new byte[4];
        private int _position;

        public Tap(Stream inner, byte[] prefix)
        {
            (_inner, _prefix) = (inner, prefix);
        }

        /// <summary>How many bytes were read.</summary>
        public long Count { get; private set; }

        /// <summary>The last 4 bytes read (zeros before the first 4).</summary>
        public byte[] Tail => _tail;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n;
            if (_position < _prefix.Length)
            {
                n = Math.Min(count, _prefix.Length - _position);
                Array.Copy(_prefix, _position, buffer, offset, n);
                _position += n;
            }
            else
            {
                n = _inner.Read(buffer, offset, count);
            }

            // Shift the tail left by n and append what came (only its last 4 bytes matter).
            var keep = Math.Max(0, 4 - n);
            _tail.AsSpan(4 - keep).CopyTo(_tail);
            buffer.AsSpan(offset + Math.Max(0, n - 4), Math.Min(n, 4)).CopyTo(_tail.AsSpan(keep));
            Count += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && _inner is GZipStream)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
