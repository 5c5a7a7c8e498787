using FaceCraft4D.Benchmarks;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: dotnet run -c Release --project tests/FaceCraft4D.Benchmarks -- <benchmark> [options]");
    foreach (var b in BenchmarkRegistry.All) Console.WriteLine($"  {b.Name,-12} {b.Description}");
    return args.Length == 0 ? 1 : 0;
}

var benchmark = BenchmarkRegistry.All.FirstOrDefault(b => string.Equals(b.Name, args[0], StringComparison.OrdinalIgnoreCase));
if (benchmark is null)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; known: {string.Join(", ", BenchmarkRegistry.All.Select(b => b.Name))}");
    return 2;
}
return await benchmark.RunAsync(args.Skip(1).ToArray(), Console.Out, cts.Token);
