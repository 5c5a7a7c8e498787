using FaceCraft4D.LocalHost.Infrastructure;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

public sealed class WorkerConfigurationOverridesTests
{
    [Fact]
    public void Stage_settings_after_the_double_dash_reach_the_workers_and_the_stacks_own_sections_do_not()
    {
        var forWorkers = WorkerConfigurationOverrides.From(
        [
            "--Fc4d:Preprocess:MattingSettings:Selfie:Refinement:Enabled=false",
            "--Fc4d:ImagePrior:Warp:AnchorFacingMin", "0.6",
            "--Fc4d:Local:DataDirectory=/tmp/run",
            "--Fc4d:Local:Auth:Tokens:0:Token=secret",
            "--Fc4d:Durable:MaxQueuePollingInterval=00:00:00.050",
            "--Fc4d:Storage:ConnectionString=elsewhere",
            "--Fc4d:Worker:Auth:SharedKey=guess",
            "--Fc4d:Worker:TorchThreads=2",
        ]);

        Assert.Equal("false", forWorkers["Fc4d:Preprocess:MattingSettings:Selfie:Refinement:Enabled"]);
        Assert.Equal("0.6", forWorkers["Fc4d:ImagePrior:Warp:AnchorFacingMin"]);
        Assert.Equal("2", forWorkers["Fc4d:Worker:TorchThreads"]);
        Assert.Equal(3, forWorkers.Count);
    }

    [Fact]
    public void No_arguments_give_no_overrides() => Assert.Empty(WorkerConfigurationOverrides.From([]));
}
