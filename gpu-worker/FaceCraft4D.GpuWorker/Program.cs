using FaceCraft4D.GpuWorker;

var app = GpuWorkerApp.Build(args);
await app.RunAsync();

/// <summary>Entry point of the GPU worker service.</summary>
public partial class Program;
