using FaceCraft4D.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>The worker's stop budget fits between a training job's cancel-save and the platform's grace period.</summary>
public sealed class WorkerShutdownTests
{
    /// <summary>ResumableTraining.CancellationSaveTimeout: a cancelled training job saves its state for up to this long.</summary>
    private static readonly TimeSpan CancelSave = TimeSpan.FromSeconds(60);

    /// <summary>terminationGracePeriodSeconds of bicep/modules/gpu-worker.bicep (Deployment.Tests checks the template).</summary>
    private static readonly TimeSpan ContainerAppsGrace = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task The_host_waits_for_the_cancel_save_and_stops_within_the_container_apps_grace_period()
    {
        await using var app = GpuWorkerApp.Build(["--Fc4d:Storage:ConnectionString=UseDevelopmentStorage=true", .. TestGpuWorker.AuthArguments]);

        var shutdown = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

        Assert.True(shutdown >= CancelSave + TimeSpan.FromSeconds(15), $"ShutdownTimeout {shutdown} does not cover the {CancelSave} cancel-save and the final job record");
        Assert.True(shutdown <= ContainerAppsGrace - TimeSpan.FromSeconds(60), $"ShutdownTimeout {shutdown} leaves too little of the {ContainerAppsGrace} grace period");
    }
}
