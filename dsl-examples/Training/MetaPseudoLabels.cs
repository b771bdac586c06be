using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace NetGen.Examples.Training;

/// <summary>
/// <c>meta-pseudo-labels</c>: Meta Pseudo Labels (Pham, Dai, Xie, Luong &amp; Le, CVPR 2021) with generated networks,
/// following the paper's Algorithm 1 with the UDA terms of its full recipe. At every step the teacher labels a batch of
/// unlabeled images by sampling from its sharpened distribution; the student takes one SGD step on those labels (on
/// RandAugment-noised views); the teacher then learns from its labeled batch, from UDA's consistency between weak and
/// strong views of the unlabeled batch, and from the student's feedback: the first-order MPL signal
/// h = (student's labeled loss before its step) − (after), less a moving average, times the log-likelihood of the labels
/// it sampled. Afterwards the student is fine-tuned on the labeled images, as in the paper.
/// </summary>
public static class MetaPseudoLabels
{
    /// <summary>How fast the baseline subtracted from h follows it (as in the paper's reference code).</summary>
    private const double BaselineRate = 0.01;

    /// <summary>The share of the steps over which UDA's weight grows linearly to its full value.</summary>
    private const double UdaWarmupFraction = 0.1;

    public static int Run(TrainOptions options)
    {
        Train(options);
        return 0;
    }

    /// <summary>
    /// Trains the teacher on the labeled images (unless <see cref="TrainOptions.TeacherEpochs"/> is 0), then teacher and
    /// student together, then fine-tunes the student; the results are the supervised teacher (if trained), the teacher
    /// and student after joint training, and the fine-tuned student.
    /// </summary>
    /// <exception cref="ArgumentException">fp16 is asked for (two optimizers would need two loss scalers), or an option is out of range.</exception>
    public static IReadOnlyList<ModelResult> Train(TrainOptions options)
    {
        var clock = Stopwatch.StartNew();
        if (options.MixedPrecision.CreateScaler() is not null)
        {
            throw new ArgumentException("--precision fp16 needs loss scaling, which meta-pseudo-labels does not do for its two optimizers; use bf16 or fp32");
        }

        using var run = SemiSupervisedRun.Start(options);
        var (trainer, data, split) = (run.Trainer, run.Data, run.Split);
        var steps = JointTraining.Steps(split.UnlabeledImages.shape[0], options);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "teacher {0} ({12} epochs on the labeled images first), student {1}; {2} epochs of {3:#,0} steps (labeled batch {4}, unlabeled batch {5}), lr {6}; UDA weight {7}, temperature {8}, threshold {9}; then {10} epochs of fine-tuning at lr {11}",
            options.Network, options.Student, options.Epochs, steps, options.BatchSize, options.BatchSize * options.UnlabeledRatio, options.LearningRate, options.UdaWeight,
            options.Temperature, options.UdaThreshold, options.FinetuneEpochs, options.FinetuneLearningRate, options.TeacherEpochs));

        using var teacher = trainer.Prepare(Trainer.CreateNetwork(options.Network));
        using var student = trainer.Prepare(Trainer.CreateNetwork(options.Student));
        var results = new List<ModelResult>();
        var warmupSeconds = 0.0;
        if (options.TeacherEpochs > 0)
        {
            // The teacher first learns the labeled images alone, with noisy-student's teacher's batch size and rate.
            var supervised = new TrainOptions();
            var warmup = Stage.TrainSupervised(trainer, options with { BatchSize = supervised.BatchSize }, Path.Combine(options.Output, "teacher"), "teacher", teacher,
                split.LabeledImages, split.LabeledTargets, options.TeacherEpochs, supervised.LearningRate, data);
            warmupSeconds = warmup.Seconds;
            results.Add(Stage.Report(trainer, data, "teacher", teacher, warmup.Last("validation_accuracy"), warmupSeconds));
        }

        var joint = new JointTraining(trainer, options, split, teacher, student);
        var stage = joint.CreateStage(Path.Combine(options.Output, "mpl"));
        var first = stage.Begin(options.Resume, options.AllowScheduleChange);
        if (first > 1)
        {
            Console.WriteLine($"mpl: resumed after epoch {first - 1} of {options.Epochs} from {stage.Folder}");
        }

        for (var epoch = first; epoch <= options.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var result = joint.Epoch(epoch, stage);
            var (teacherValidation, _) = trainer.Evaluate(teacher, data.Validation, 512);
            var (studentValidation, _) = trainer.Evaluate(student, data.Validation, 512);
            stage.EndEpoch(new[] { epoch, result.TeacherLoss, result.StudentLoss, result.Signal, teacherValidation, studentValidation, result.UnlabeledPerSecond, epochClock.Elapsed.TotalSeconds });
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "mpl epoch {0}/{1}: teacher labeled loss {2:0.0000}, student loss {3:0.0000}, mean MPL signal {4:+0.0000;-0.0000}, validation acc teacher {5:0.00}% student {6:0.00}%, {7:#,0} unlabeled images/s, {8:0.0} s",
                epoch, options.Epochs, result.TeacherLoss, result.StudentLoss, result.Signal, teacherValidation * 100, studentValidation * 100, result.UnlabeledPerSecond, epochClock.Elapsed.TotalSeconds));
        }

        var seconds = warmupSeconds + stage.Seconds;
        results.Add(Stage.Report(trainer, data, "MPL teacher", teacher, stage.Last("teacher_validation_accuracy"), seconds));
        results.Add(Stage.Report(trainer, data, "MPL student", student, stage.Last("student_validation_accuracy"), seconds));
        var finetune = Stage.TrainSupervised(trainer, options, Path.Combine(options.Output, "finetune"), "fine-tune", student, split.LabeledImages, split.LabeledTargets,
            options.FinetuneEpochs, options.FinetuneLearningRate, data);
        results.Add(Stage.Report(trainer, data, "MPL student, fine-tuned", student, finetune.Last("validation_accuracy"), seconds + finetune.Seconds));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0:0.0} minutes in all; checkpoints, metrics.csv and curves.png in {1}",
            clock.Elapsed.TotalMinutes, Path.GetFullPath(options.Output)));
        return results;
    }

    /// <summary>What an epoch of joint training measured: means over its steps.</summary>
    internal sealed record EpochFigures(double TeacherLoss, double StudentLoss, double Signal, double UnlabeledPerSecond);

    /// <summary>The joint training's networks, optimizers and data.</summary>
    internal sealed class JointTraining
    {
        private readonly Trainer _trainer;
        private readonly TrainOptions _options;
        private readonly LabeledSplit _split;
        private readonly nn.Module<Tensor, Tensor> _teacher;
        private readonly nn.Module<Tensor, Tensor> _student;
        private readonly long _steps;
        private readonly RandAugment _noise;

        /// <summary>Joint training of the two networks (on the trainer's device already), each with a new optimizer.</summary>
        public JointTraining(Trainer trainer, TrainOptions options, LabeledSplit split, nn.Module<Tensor, Tensor> teacher, nn.Module<Tensor, Tensor> student)
        {
            _trainer = trainer;
            _options = options;
            _split = split;
            _teacher = teacher;
            _student = student;
            TeacherSgd = Trainer.CreateOptimizer(teacher, options.LearningRate);
            StudentSgd = Trainer.CreateOptimizer(student, options.LearningRate);
            _steps = Steps(split.UnlabeledImages.shape[0], options);
            _noise = new RandAugment(options.NoiseOps, options.NoiseMagnitude);
        }

        public SGD TeacherSgd { get; }

        public SGD StudentSgd { get; }

        /// <summary>Steps an epoch: one for each unlabeled batch.</summary>
        public static long Steps(long unlabeledCount, TrainOptions options)
        {
            var unlabeledBatch = (long)options.BatchSize * options.UnlabeledRatio;
            return (unlabeledCount + unlabeledBatch - 1) / unlabeledBatch;
        }

        /// <summary>
        /// The stage in <paramref name="folder"/> whose checkpoint holds both networks and both optimizers. Its schedule
        /// counts steps as the unlabeled batches they are, so <c>--resume</c> with another <c>--batch-size</c> or
        /// <c>--unlabeled-ratio</c> is refused like any other change of schedule.
        /// </summary>
        public Stage CreateStage(string folder) => new(
            folder,
            $"Meta Pseudo Labels: {_teacher.GetType().Name} teaches {_student.GetType().Name}",
            new[] { "epoch", "teacher_labeled_loss", "student_loss", "mpl_signal", "teacher_validation_accuracy", "student_validation_accuracy", "unlabeled_per_second", "seconds" },
            new Schedule(_options.Epochs, _options.LearningRate, _options.BatchSize * _options.UnlabeledRatio, (int)_split.UnlabeledImages.shape[0], "unlabeled images a step (--batch-size x --unlabeled-ratio)"),
            new[] { CheckpointPart.Named("teacher", _teacher, TeacherSgd), CheckpointPart.Named("student", _student, StudentSgd) });

        /// <summary>One pass over the unlabeled images in a seeded order; the labeled batches are drawn with replacement.</summary>
        public EpochFigures Epoch(int epoch, Stage stage)
        {
            _teacher.train();
            _student.train();
            var generator = Trainer.EpochGenerator(_options.Seed, epoch);
            var unlabeledCount = _split.UnlabeledImages.shape[0];
            var unlabeledBatch = (long)_options.BatchSize * _options.UnlabeledRatio;
            var totalSteps = _steps * _options.Epochs;
            using var order = randperm(unlabeledCount, generator: generator);
            var progress = new Progress($"mpl epoch {epoch}/{_options.Epochs}");
            var clock = Stopwatch.StartNew();
            double teacherLoss = 0, studentLoss = 0, signal = 0, correct = 0;
            long seen = 0;
            for (long b = 0; b < _steps; b++)
            {
                using var scope = NewDisposeScope();
                var step = ((epoch - 1) * _steps) + b;
                Trainer.SetCosineRate(TeacherSgd, _options.LearningRate, step, totalSteps);
                Trainer.SetCosineRate(StudentSgd, _options.LearningRate, step, totalSteps);
                var size = Math.Min(unlabeledBatch, unlabeledCount - (b * unlabeledBatch));
                var unlabeled = _split.UnlabeledImages.index_select(0, order.narrow(0, b * unlabeledBatch, size));
                var picks = randint(0, _split.LabeledImages.shape[0], new long[] { _options.BatchSize }, generator: generator);
                var labeledX = Input(Trainer.Augment(_split.LabeledImages.index_select(0, picks), generator));
                var labeledY = _split.LabeledLabels.index_select(0, picks).to(_trainer.Device);
                var weak = Input(Trainer.Augment(unlabeled, generator));
                var strong = Input(_noise.Apply(Trainer.Flip(unlabeled, generator), generator));
                var n = labeledX.shape[0];

                // The teacher on labeled, weak and strong views in one batch, as the reference code does.
                var teacherLogits = Forward(_teacher, cat(new[] { labeledX, weak, strong }, 0));
                var teacherLabeled = teacherLogits.narrow(0, 0, n);
                var teacherWeak = teacherLogits.narrow(0, n, size);
                var teacherStrong = teacherLogits.narrow(0, n + size, size);
                var teacherSupervised = cross_entropy(teacherLabeled, labeledY);
                var sharpened = softmax(teacherWeak.detach() / _options.Temperature, 1);
                var confident = sharpened.max(1).values.ge(_options.UdaThreshold).to(ScalarType.Float32);
                var consistency = (-(sharpened * log_softmax(teacherStrong, 1)).sum(1) * confident).mean();

                // Pseudo-labels sampled from the teacher's sharpened distribution (the paper's Algorithm 1), on the CPU generator.
                var pseudo = sharpened.cpu().multinomial(1, generator: generator).squeeze(1).to(_trainer.Device);

                // The student's step on the strong views, and its labeled loss before and after it.
                var studentLogits = Forward(_student, cat(new[] { labeledX, strong }, 0));
                var before = cross_entropy(studentLogits.narrow(0, 0, n).detach(), labeledY).item<float>();
                var studentStep = cross_entropy(studentLogits.narrow(0, n, size), pseudo);
                StudentSgd.zero_grad();
                studentStep.backward();
                StudentSgd.step();
                double after;
                using (no_grad())
                {
                    after = cross_entropy(Forward(_student, labeledX), labeledY).item<float>();
                }

                // h > 0: the sampled labels lowered the student's labeled loss, so the teacher makes them likelier.
                var h = before - after;
                var advantage = h - stage.Baseline;
                stage.Baseline += BaselineRate * (h - stage.Baseline);
                var feedback = cross_entropy(teacherWeak / _options.Temperature, pseudo) * advantage;
                var udaWeight = _options.UdaWeight * Math.Min(1.0, (step + 1) / (UdaWarmupFraction * totalSteps));
                var teacherTotal = teacherSupervised + (consistency * udaWeight) + feedback;
                TeacherSgd.zero_grad();
                teacherTotal.backward();
                TeacherSgd.step();

                teacherLoss += teacherSupervised.item<float>() * n;
                studentLoss += studentStep.item<float>() * n;
                signal += h * n;
                correct += teacherLabeled.argmax(1).eq(labeledY).sum().item<long>();
                seen += n;
                progress.Report(b + 1, _steps, teacherLoss / seen, correct / seen, (b * unlabeledBatch + size) / clock.Elapsed.TotalSeconds);
            }

            return new EpochFigures(teacherLoss / seen, studentLoss / seen, signal / seen, unlabeledCount / clock.Elapsed.TotalSeconds);
        }

        private Tensor Input(Tensor batch) => _trainer.Precision.Input(batch.to(_trainer.Device));

        /// <summary>Logits in float32, computed under the trainer's autocast if it has one.</summary>
        private Tensor Forward(nn.Module<Tensor, Tensor> network, Tensor batch)
        {
            using (_trainer.Precision.Enter(_trainer.Device))
            {
                return network.call(batch).to(ScalarType.Float32);
            }
        }
    }
}
