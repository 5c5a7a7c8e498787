namespace FaceCraft4D.Pipeline.Evaluation;

/// <summary>Configuration section <c>Fc4d:Evaluation</c>: scheduled evaluation batches.</summary>
public sealed class EvaluationOptions
{
    public const string SectionName = "Fc4d:Evaluation";

    /// <summary>Evaluation sets (folders under <c>eval/sets/</c>) that the schedule runs.</summary>
    public List<string> Sets { get; set; } = ["default"];

    /// <summary>Preset of scheduled batches (null: the pipeline default).</summary>
    public string? Preset { get; set; }

    /// <summary>Local host only: interval of scheduled batches (zero: off). The Functions app uses the NCRONTAB app setting <c>Fc4dEvaluationSchedule</c>.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.Zero;

    /// <summary>Avatar runs of one batch that run at the same time.</summary>
    public int MaxParallelRuns { get; set; } = 4;

    /// <summary>Largest number of images taken from one set.</summary>
    public int MaxImages { get; set; } = 500;
}
