using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator;
using NetGen.Generator.Emit;

namespace NetGen.Benchmarks;

/// <summary>
/// The generator as the compiler and the IDE run it: a cold run over the whole zoo, a re-run after a
/// one-file edit, a re-run after a C# edit, and the front end's cost per file and per network.
/// </summary>
public static class GeneratorBenchmark
{
    private const int Repetitions = 25;

    /// <summary>Unreported cold runs before the reported ones: enough for the runtime to tier up the code that runs.</summary>
    private const int WarmUp = 50;
    private const string RootNamespace = "NetGen.Examples";

    public static void Run()
    {
        var files = Directory.GetFiles(Repository.ZooFolder, "*.net.txt").OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (AdditionalText)new ZooText(f, File.ReadAllText(f))).ToArray();
        var compilation = Compilation("namespace App { public static class Marker { } }");

        var firstInProcess = Statistics.Milliseconds(() => Driver(files).RunGenerators(compilation));
        // A build reaches the generator through the compiler server (VBCSCompiler), a long-lived process,
        // and the IDE keeps one too: the code that runs is tiered-up JIT code. Right after the first run
        // the runtime is still promoting Roslyn's and the generator's methods (tier 0 to tier 1, after 30
        // calls, compiled in the background), and runs are about twice as slow; so warm up first.
        for (var i = 0; i < WarmUp; i++)
        {
            Driver(files).RunGenerators(compilation);
        }

        // The two parse modes alternate run by run, so the VM's drift touches both alike.
        var cold = new List<double>();
        var coldWithoutDocs = new List<double>();
        for (var i = 0; i < Repetitions; i++)
        {
            var withDocs = Statistics.Milliseconds(() => Driver(files).RunGenerators(compilation));
            var withoutDocs = Statistics.Milliseconds(() => Driver(files, documentation: DocumentationMode.None).RunGenerators(compilation));
            cold.Add(withDocs);
            coldWithoutDocs.Add(withoutDocs);
        }

        var coldGenerator = Enumerable.Range(0, Repetitions)
            .Select(_ => Driver(files).RunGenerators(compilation).GetTimingInfo().GeneratorTimes.Single().ElapsedTime.TotalMilliseconds)
            .ToList();

        var edited = (ZooText)files.First(f => f.Path.EndsWith("resnet.net.txt", StringComparison.Ordinal));
        var commentEdit = Incremental(files, compilation, (driver, i) => driver.ReplaceAdditionalText(edited, edited.With(edited.Text + $"\n# edit {i}\n")));
        var valueEdit = Incremental(files, compilation, (driver, i) =>
            driver.ReplaceAdditionalText(edited, edited.With(edited.Text.Replace("network ResNet50(num_classes = 1000)", $"network ResNet50(num_classes = {1001 + i})", StringComparison.Ordinal))));
        var (csharpEdit, reasons) = CSharpEdit(files, compilation);
        Console.WriteLine($"## Generator: the whole zoo ({files.Length} files, {NetworkCount(files)} networks), median of {Repetitions} runs");
        Console.WriteLine();
        Console.WriteLine("| Run | Wall time of RunGenerators |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| first run in a fresh process (includes JIT of the generator and Roslyn) | {firstInProcess:F1} ms |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| cold: a new driver, nothing cached, doc comments parsed (the IDE; a build with GenerateDocumentationFile), after 50 warm-up runs | {Statistics.Median(cold):F2} ms |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| cold, doc comments not parsed (csc without /doc, as dsl-examples builds), alternating with the row above | {Statistics.Median(coldWithoutDocs):F2} ms |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| cold, the generator's own time as Roslyn reports it (GetTimingInfo) | {Statistics.Median(coldGenerator):F2} ms |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| incremental: a comment edited in resnet.net.txt (no network changes) | {Statistics.Median(commentEdit):F2} ms |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| incremental: ResNet50's num_classes edited (1 network re-emitted) | {Statistics.Median(valueEdit):F2} ms |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| a C# file edited | {Statistics.Median(csharpEdit):F3} ms |"));
        Console.WriteLine();
        Console.WriteLine($"After the C# edit, the generator's tracked steps report: {reasons}.");
        Console.WriteLine();
        PerFile(files, compilation);
    }

    /// <summary>The front end (text → bound networks) per file, and the emitter per network.</summary>
    private static void PerFile(AdditionalText[] files, CSharpCompilation compilation)
    {
        Console.WriteLine($"### Per file and per network (median of {Repetitions})");
        Console.WriteLine();
        Console.WriteLine("| File | Front end (parse, bind, shapes) | Allocated by it | Comparing two of its results | Networks | Emit, all networks | Slowest network to emit | Re-run after a comment edit | Re-run after an edit in the first network's body | Re-run after an edit in the first block (mean GC pause) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach (ZooText file in files)
        {
            var netFile = new NetFile(file.Path, file.Text, RootNamespace);
            var result = NetGenCompiler.Compile(netFile);
            var compile = Repeat(() => NetGenCompiler.Compile(netFile));
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var again = NetGenCompiler.Compile(netFile);
            var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (1024.0 * 1024.0);
            if (!result.Equals(again))
            {
                throw new InvalidOperationException($"two compiles of {file.Path} differ");
            }

            // Two results of the same text, as the pipeline compares a re-compile with its cached result.
            var compare = Repeat(() => result.Equals(again));
            var emits = result.Networks
                .Select(n => (n.ClassName, Time: Statistics.Median(Repeat(() => NetworkEmitter.Emit(n, NetGenCompiler.Version)))))
                .ToList();
            var slowest = emits.OrderByDescending(e => e.Time).First();
            var rerun = Incremental(files, compilation, (driver, i) => driver.ReplaceAdditionalText(file, file.With(file.Text + $"\n# edit {i}\n")));
            var bodyEdit = Incremental(files, compilation, (driver, i) => driver.ReplaceAdditionalText(file, file.With(IntoFirst("network", file.Text, $"let benchmark_edit = {i}"))));
            var blockEdit = "no blocks";
            if (file.Text.Contains("\nblock "))
            {
                var (times, gc) = IncrementalWithGc(files, compilation, (driver, i) => driver.ReplaceAdditionalText(file, file.With(IntoFirst("block", file.Text, $"let benchmark_edit = {i}"))));
                blockEdit = string.Create(CultureInfo.InvariantCulture, $"{Statistics.Median(times):F2} ms (GC {gc:F2})");
            }
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(file.Path)} | {Statistics.Median(compile):F2} ms | {allocated:F2} MiB | {Statistics.Median(compare):F3} ms | {emits.Count} | {emits.Sum(e => e.Time):F2} ms | {slowest.ClassName} {slowest.Time:F2} ms | {Statistics.Median(rerun):F2} ms | {Statistics.Median(bodyEdit):F2} ms | {blockEdit} |"));
        }

        Console.WriteLine();
    }

    /// <summary>
    /// The text with a line added at the top of the body of its first network or block. A network edit
    /// binds that network and its variants again (the file's other networks, and every block call the
    /// last compile made, are reused); a block edit binds every network of the file again.
    /// </summary>
    private static string IntoFirst(string keyword, string text, string line)
    {
        var header = text.StartsWith(keyword + " ", StringComparison.Ordinal) ? 0 : text.IndexOf($"\n{keyword} ", StringComparison.Ordinal) + 1;
        var bodyStart = text.IndexOf('\n', header) + 1;
        var indent = text.Substring(bodyStart, text.Length - bodyStart).TakeWhile(c => c == ' ').Count();
        var edited = text.Insert(bodyStart, new string(' ', indent) + line + "\n");
        if (NetGenCompiler.Compile(new NetFile("edit.net.txt", edited, RootNamespace)).Diagnostics is { Count: > 0 } errors)
        {
            throw new InvalidOperationException($"the {keyword} edit does not compile: {errors[0]}");
        }

        return edited;
    }

    private static List<double> Incremental(AdditionalText[] files, CSharpCompilation compilation, Func<GeneratorDriver, int, GeneratorDriver> edit) =>
        IncrementalWithGc(files, compilation, edit).Times;

    /// <summary>Re-run times after an edit, and the garbage collector's mean pause per re-run.</summary>
    private static (List<double> Times, double GcPause) IncrementalWithGc(AdditionalText[] files, CSharpCompilation compilation, Func<GeneratorDriver, int, GeneratorDriver> edit)
    {
        var driver = Driver(files).RunGenerators(compilation);
        var times = new List<double>();
        var paused = TimeSpan.Zero;
        for (var i = 0; i < Repetitions; i++)
        {
            // Each edit starts from the original file, so every run sees one fresh change.
            var changed = edit(driver, i);
            var pausedBefore = GC.GetTotalPauseDuration();
            times.Add(Statistics.Milliseconds(() => changed.RunGenerators(compilation)));
            paused += GC.GetTotalPauseDuration() - pausedBefore;
        }

        return (times, paused.TotalMilliseconds / Repetitions);
    }

    private static (List<double> Times, string Reasons) CSharpEdit(AdditionalText[] files, CSharpCompilation compilation)
    {
        var tree = compilation.SyntaxTrees.Single();
        var times = new List<double>();
        var driver = Driver(files).RunGenerators(compilation);
        var current = compilation;
        for (var i = 0; i < Repetitions; i++)
        {
            var next = current.ReplaceSyntaxTree(current.SyntaxTrees.Single(), tree.WithChangedText(SourceText.From($"namespace App {{ public static class Marker {{ public const int Edit = {i}; }} }}")));
            var run = driver;
            times.Add(Statistics.Milliseconds(() => run = run.RunGenerators(next)));
            driver = run;
            current = next;
        }

        // The same edit once more with step tracking on, to show what the generator did.
        var tracked = Driver(files, track: true).RunGenerators(compilation);
        tracked = tracked.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From("namespace App { public static class Marker { public const int Edit = -1; } }"))));
        var reasons = tracked.GetRunResult().Results.Single().TrackedSteps
            .SelectMany(s => s.Value)
            .SelectMany(step => step.Outputs)
            .GroupBy(o => o.Reason)
            .OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} outputs {g.Key}");
        return (times, string.Join(", ", reasons));
    }

    private static int NetworkCount(IEnumerable<AdditionalText> files) =>
        files.Cast<ZooText>().Sum(f => NetGenCompiler.Compile(new NetFile(f.Path, f.Text, RootNamespace)).Networks.Count());

    /// <param name="documentation">
    /// How Roslyn parses the generated files' doc comments: <c>Parse</c> as the IDE does (and, as <c>Diagnose</c>, a
    /// build with GenerateDocumentationFile); <c>None</c> as csc does without <c>/doc</c>, dsl-examples' own build.
    /// </param>
    private static GeneratorDriver Driver(IEnumerable<AdditionalText> files, bool track = false, DocumentationMode documentation = DocumentationMode.Parse) =>
        CSharpGeneratorDriver.Create(
            new[] { new NetGenGenerator().AsSourceGenerator() },
            files,
            new CSharpParseOptions(LanguageVersion.Latest, documentation),
            new OptionsProvider(),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    private static CSharpCompilation Compilation(string source) =>
        CSharpCompilation.Create(
            "App",
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
            Basic.Reference.Assemblies.Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static List<double> Repeat(Action action)
    {
        action();
        return Enumerable.Range(0, Repetitions).Select(_ => Statistics.Milliseconds(action)).ToList();
    }


    private sealed class ZooText : AdditionalText
    {
        private readonly SourceText _source;

        public ZooText(string path, string text)
        {
            Path = path;
            Text = text;
            _source = SourceText.From(text);
        }

        public override string Path { get; }

        public string Text { get; }

        public ZooText With(string text) => new(Path, text);

        public override SourceText GetText(CancellationToken cancellationToken = default) => _source;
    }

    private sealed class OptionsProvider : AnalyzerConfigOptionsProvider
    {
        private static readonly Options Global = new(ImmutableDictionary<string, string>.Empty.Add("build_property.RootNamespace", RootNamespace));

        public override AnalyzerConfigOptions GlobalOptions => Global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;
    }

    private sealed class Options : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(ImmutableDictionary<string, string>.Empty);

        private readonly ImmutableDictionary<string, string> _values;

        public Options(ImmutableDictionary<string, string> values) => _values = values;

        public override bool TryGetValue(string key, out string value) => _values.TryGetValue(key, out value!);
    }
}
