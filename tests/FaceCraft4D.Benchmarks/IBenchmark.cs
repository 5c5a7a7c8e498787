namespace FaceCraft4D.Benchmarks;

/// <summary>
/// One benchmark subcommand (<c>dotnet run -c Release --project tests/FaceCraft4D.Benchmarks -- NAME [args]</c>).
/// Add a class implementing this interface and register it in <see cref="BenchmarkRegistry"/>.
/// Benchmarks print figures; they are not pass/fail tests.
/// </summary>
public interface IBenchmark
{
    /// <summary>Subcommand name.</summary>
    string Name { get; }

    /// <summary>One-line description for the usage text.</summary>
    string Description { get; }

    /// <summary>Runs the benchmark and returns the process exit code.</summary>
    Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken);
}
