using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Examples.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>RandAugment, pseudo-label selection, Noisy Student, Meta Pseudo Labels and their comparison.</summary>
public sealed class SemiSupervisedTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-ssl-" + Guid.NewGuid().ToString("N"));

    public SemiSupervisedTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Normalized images whose pixels span 0..1 exactly (so auto-contrast leaves them as they are), in grey levels.</summary>
    private static Tensor Images(int count, int seed)
    {
        var levels = randint(0, 256, new long[] { count, 1, 28, 28 }, generator: new torch.Generator((ulong)seed)).to(ScalarType.Float32);
        levels[TensorIndex.Colon, 0, 0, 0] = tensor(0f);
        levels[TensorIndex.Colon, 0, 0, 1] = tensor(255f);
        return levels.div(255).sub(FashionMnist.Mean).div(FashionMnist.Std);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void RandAugment_at_magnitude_0_changes_nothing_and_depends_only_on_its_generator()
    {
        using var scope = NewDisposeScope();
        var images = Images(64, 1);
        var unchanged = new RandAugment(Ops: 3, Magnitude: 0).Apply(images, new torch.Generator(5));
        Assert.True(unchanged.sub(images).abs().max().item<float>() < 1e-4);

        var strong = new RandAugment(Ops: 2, Magnitude: 9);
        var a = strong.Apply(images, new torch.Generator(7));
        var b = strong.Apply(images, new torch.Generator(7));
        var c = strong.Apply(images, new torch.Generator(8));
        Assert.Equal(images.shape, a.shape);
        Assert.True(Same(a, b));
        Assert.False(Same(a, c));

        // Most images change (two draws of identity, or of auto-contrast on these full-range images, leave one as it is),
        // and every pixel stays between black and white.
        var changed = a.sub(images).abs().amax(new long[] { 1, 2, 3 }).gt(1e-3).sum().item<long>();
        Assert.True(changed > 48, $"{changed} of 64 images changed");
        var pixels = (a * FashionMnist.Std) + FashionMnist.Mean;
        Assert.True(pixels.min().item<float>() > -1e-4 && pixels.max().item<float>() < 1 + 1e-4);
    }

    [Fact]
    public void RandAugment_rotates_shears_and_translates_by_its_magnitude()
    {
        using var scope = NewDisposeScope();

        // One white pixel right of the centre: every geometric operation moves it, and the others keep it white.
        var levels = zeros(200, 1, 28, 28);
        levels[TensorIndex.Colon, 0, 13, 20] = tensor(1f);
        var images = levels.sub(FashionMnist.Mean).div(FashionMnist.Std);
        var moved = new RandAugment(Ops: 1, Magnitude: 10).Apply(images, new torch.Generator(3));
        var pixels = (moved * FashionMnist.Std) + FashionMnist.Mean;
        var stayed = pixels[TensorIndex.Colon, 0, 13, 20].gt(0.5).sum().item<long>();

        // rotate (30 degrees), shear-y (0.3) and both translations (30 %) move it off its place; shear-x does not, since
        // it lies on the horizontal axis. So about 4 in 13 images keep it (the others' operations are not geometric,
        // except cutout, which may black it out).
        Assert.InRange(stayed, 200 * 5 / 13 - 40, 200 * 9 / 13 + 40);
        Assert.True(stayed < 190, $"{stayed} of 200 kept the pixel in place");
    }

    [Fact]
    public void Pseudo_labels_drop_unsure_images_and_balance_the_classes_by_confidence()
    {
        // Class 0: three confident images (0.9, 0.8, 0.7); class 1: one (0.95); class 2: one unsure (0.4).
        var probabilities = tensor(new float[,]
        {
            { 0.8f, 0.1f, 0.1f },
            { 0.7f, 0.2f, 0.1f },
            { 0.05f, 0.95f, 0f },
            { 0.9f, 0.05f, 0.05f },
            { 0.3f, 0.3f, 0.4f },
        });
        var soft = PseudoLabels.Select(probabilities, threshold: 0.5, hard: false);

        // Four images pass; one share (4 / 3 classes = 1) each: class 0 keeps its most confident, class 1 its only one.
        Assert.Equal(4, soft.Confident);
        Assert.Equal(new long[] { 3, 2 }, soft.Index.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 0 }, soft.PerClass);
        Assert.True(Same(soft.Targets, probabilities.index_select(0, soft.Index)));

        // At a lower threshold all five pass and each class gets one; class 2's image is its only one.
        var hard = PseudoLabels.Select(probabilities, threshold: 0.3, hard: true);
        Assert.Equal(new long[] { 3, 2, 4 }, hard.Index.data<long>().ToArray());
        Assert.True(Same(hard.Targets, eye(3)));

        // A class with too few is filled by repeating its images, most confident first.
        var skewed = tensor(new float[,] { { 0.9f, 0.1f }, { 0.8f, 0.2f }, { 0.7f, 0.3f }, { 0.6f, 0.4f }, { 0.2f, 0.8f }, { 0.4f, 0.6f } });
        var balanced = PseudoLabels.Select(skewed, threshold: 0.5, hard: true);
        Assert.Equal(new long[] { 0, 1, 2, 4, 5, 4 }, balanced.Index.data<long>().ToArray());
    }

    [Fact]
    public void The_labeled_split_keeps_a_seeded_fraction_and_hides_the_rest_of_the_labels()
    {
        using var data = FashionMnist.LoadEmbedded(seed: 2, limit: 200);
        using var split = LabeledSplit.Create(data.Train, 0.1, seed: 2);
        using var again = LabeledSplit.Create(data.Train, 0.1, seed: 2);
        Assert.Equal(20, split.LabeledImages.shape[0]);
        Assert.Equal(180, split.UnlabeledImages.shape[0]);
        Assert.Equal(new long[] { 20, 10 }, split.LabeledTargets.shape);
        Assert.True(Same(split.LabeledTargets.argmax(1), split.LabeledLabels));
        Assert.True(Same(split.UnlabeledImages, again.UnlabeledImages));
        Assert.Equal(180, split.HiddenLabels.shape[0]);
    }

    [Fact]
    public void Meta_pseudo_labels_resumed_after_an_epoch_repeats_the_uninterrupted_run_exactly()
    {
        using var data = FashionMnist.LoadEmbedded(seed: 4, limit: 120);
        using var split = LabeledSplit.Create(data.Train, 0.2, seed: 4);
        var options = TrainOptions.MetaPseudoLabelsDefaults with { Epochs = 2, BatchSize = 8, UnlabeledRatio = 2, Seed = 4, Output = _folder };
        var trainer = new Trainer(CPU);

        manual_seed(4);
        using var teacher = Trainer.CreateNetwork("TinyResNet");
        using var student = Trainer.CreateNetwork("TinyResNetNoisy");
        var first = new MetaPseudoLabels.JointTraining(trainer, options, split, teacher, student);
        var stage = first.CreateStage(_folder);
        var figures = first.Epoch(1, stage);
        stage.EndEpoch(new[] { 1, figures.TeacherLoss, figures.StudentLoss, figures.Signal, 0, 0, figures.UnlabeledPerSecond, 1 });
        var baseline = stage.Baseline;
        first.Epoch(2, stage);

        manual_seed(99);
        using var teacherAgain = Trainer.CreateNetwork("TinyResNet");
        using var studentAgain = Trainer.CreateNetwork("TinyResNetNoisy");
        var resumed = new MetaPseudoLabels.JointTraining(trainer, options, split, teacherAgain, studentAgain);
        var resumedStage = resumed.CreateStage(_folder);
        Assert.Equal(2, resumedStage.Begin(resume: true, allowScheduleChange: false));
        Assert.Equal(baseline, resumedStage.Baseline);
        Assert.NotEqual(0, baseline);
        resumed.Epoch(2, resumedStage);

        Assert.Equal(stage.Baseline, resumedStage.Baseline);
        AssertSameWeights(teacher, teacherAgain);
        AssertSameWeights(student, studentAgain);
        Assert.All(new[] { "teacher.dat", "teacher.pt", "teacher-optimizer.dat", "student.dat", "student.pt", "student-optimizer.dat", "state.json", "metrics.csv", "curves.png" },
            file => Assert.True(File.Exists(Path.Combine(_folder, file)), file));
    }

    private static void AssertSameWeights(nn.Module<Tensor, Tensor> expected, nn.Module<Tensor, Tensor> actual)
    {
        var theirs = actual.state_dict();
        foreach (var (name, tensor) in expected.state_dict())
        {
            Assert.True(Same(tensor, theirs[name]), name);
        }
    }

    [Fact]
    public void Both_methods_and_the_comparison_run_end_to_end_and_resume_finished_stages_without_training_again()
    {
        var output = Path.Combine(_folder, "compare");
        var options = TrainOptions.ComparisonDefaults with { DataFolder = "embedded", Limit = 120, Seeds = 2, Output = output };
        var small = new Func<TrainOptions, TrainOptions>(o => o with { DataFolder = "embedded", Limit = 120, LabeledFraction = 0.2, Seed = 3 });

        var noisyStudent = NoisyStudent.Train(small(TrainOptions.NoisyStudentDefaults) with { TeacherEpochs = 2, Epochs = 1, Output = Path.Combine(_folder, "ns") });
        Assert.Equal(new[] { "teacher", "student 1", "student 2" }, noisyStudent.Select(r => r.Role));
        Assert.Equal(new[] { "TinyResNet", "TinyResNet", "TinyResNet" }, noisyStudent.Select(r => r.Network));
        Assert.All(new[] { "teacher", "student-1", "student-2" }, stage =>
            Assert.Equal(1 + (stage == "teacher" ? 2 : 1), File.ReadAllLines(Path.Combine(_folder, "ns", stage, "metrics.csv")).Length));
        Assert.True(noisyStudent[2].Seconds > noisyStudent[1].Seconds && noisyStudent[1].Seconds > noisyStudent[0].Seconds);

        // Resumed with every stage finished, nothing trains again: the same models, so the same accuracies.
        var again = NoisyStudent.Train(small(TrainOptions.NoisyStudentDefaults) with { TeacherEpochs = 2, Epochs = 1, Output = Path.Combine(_folder, "ns"), Resume = true });
        Assert.Equal(noisyStudent.Select(r => (r.ValidationAccuracy, r.TestAccuracy)), again.Select(r => (r.ValidationAccuracy, r.TestAccuracy)));

        // Resumed with the second student's stage gone, it is trained again from the same initialization: the same student.
        Directory.Delete(Path.Combine(_folder, "ns", "student-2"), recursive: true);
        var retrained = NoisyStudent.Train(small(TrainOptions.NoisyStudentDefaults) with { TeacherEpochs = 2, Epochs = 1, Output = Path.Combine(_folder, "ns"), Resume = true });
        Assert.Equal(noisyStudent[2].ValidationAccuracy, retrained[2].ValidationAccuracy);
        Assert.Equal(noisyStudent[2].TestAccuracy, retrained[2].TestAccuracy);

        // Meta Pseudo Labels' warm-up trains the same teacher as noisy-student's (the comparison copies it for that reason).
        var meta = MetaPseudoLabels.Train(small(TrainOptions.MetaPseudoLabelsDefaults) with { TeacherEpochs = 2, Epochs = 1, FinetuneEpochs = 1, Output = Path.Combine(_folder, "mpl") });
        Assert.Equal(new[] { "teacher", "MPL teacher", "MPL student", "MPL student, fine-tuned" }, meta.Select(r => r.Role));
        Assert.Equal((noisyStudent[0].ValidationAccuracy, noisyStudent[0].TestAccuracy), (meta[0].ValidationAccuracy, meta[0].TestAccuracy));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_folder, "ns", "teacher", "network.dat")), File.ReadAllBytes(Path.Combine(_folder, "mpl", "teacher", "network.dat")));
        Assert.True(File.Exists(Path.Combine(_folder, "mpl", "mpl", "curves.png")));
        Assert.True(File.Exists(Path.Combine(_folder, "mpl", "finetune", "network.pt")));
        var changed = Assert.Throws<ArgumentException>(() => MetaPseudoLabels.Train(small(TrainOptions.MetaPseudoLabelsDefaults) with
        {
            TeacherEpochs = 2, Epochs = 1, FinetuneEpochs = 1, UnlabeledRatio = 2, Output = Path.Combine(_folder, "mpl"), Resume = true,
        }));
        Assert.Contains("(unlabeled images a step (--batch-size x --unlabeled-ratio) 128 then, 64 now)", changed.Message);
        Assert.Throws<ArgumentException>(() => MetaPseudoLabels.Train(small(TrainOptions.MetaPseudoLabelsDefaults) with { Precision = "fp16", Output = Path.Combine(_folder, "fp16") }));

        Assert.Equal(0, SemiSupervisedComparison.Run(options with { Seeds = 1 }));
        var csv = File.ReadAllLines(Path.Combine(output, "comparison.csv"));
        Assert.Equal(6, csv.Length);
        Assert.All(csv.Skip(1), line => Assert.StartsWith("1,", line));
        Assert.Contains("| Meta Pseudo Labels: student, fine-tuned |", File.ReadAllText(Path.Combine(output, "comparison.md")));

        // The copied warm-up teacher is the one noisy-student trained; its training time counts in Meta Pseudo Labels' time.
        var seed1 = Path.Combine(output, "seed-1");
        Assert.Equal(File.ReadAllBytes(Path.Combine(seed1, "noisy-student", "teacher", "network.dat")), File.ReadAllBytes(Path.Combine(seed1, "meta-pseudo-labels", "teacher", "network.dat")));
    }

    [Fact]
    public void The_comparison_table_gives_mean_spread_and_the_gain_paired_by_seed()
    {
        static SemiSupervisedComparison.Row Row(int seed, string method, double test) => new(seed, method, new ModelResult("x", "TinyResNet", test - 0.01, test, 60 * seed));
        var rows = new List<SemiSupervisedComparison.Row>
        {
            Row(1, "Supervised", 0.80), Row(1, "Noisy Student", 0.83),
            Row(2, "Supervised", 0.82), Row(2, "Noisy Student", 0.84),
            Row(3, "Supervised", 0.84), Row(3, "Noisy Student", 0.88),
        };
        var table = SemiSupervisedComparison.Table(rows).Split('\n');

        Assert.Equal("| Supervised | TinyResNet | 82.00 ± 2.00 % | 80.00 / 82.00 / 84.00 | – | 81.00 ± 2.00 % | 2.0 min |", table[2]);
        Assert.Equal("| Noisy Student | TinyResNet | 85.00 ± 2.65 % | 83.00 / 84.00 / 88.00 | +3.00 ± 1.00 points | 84.00 ± 2.65 % | 2.0 min |", table[3]);
        Assert.StartsWith("3 seeds (1, 2, 3)", table[5]);
    }
}
