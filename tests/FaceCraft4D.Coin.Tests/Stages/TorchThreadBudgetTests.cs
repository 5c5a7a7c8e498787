using FaceCraft4D.Stages;
using TorchSharp;

namespace FaceCraft4D.Coin.Tests.Stages;

public sealed class TorchThreadBudgetTests
{
    [Fact]
    public void A_job_alone_gets_the_alone_threads_and_falls_back_when_a_second_starts()
    {
        var budget = new TorchThreadBudget(shared: 1, alone: 2);
        var before = torch.get_num_threads();
        try
        {
            using (budget.JobStarted())
            {
                Assert.Equal(2, budget.Apply());
                Assert.Equal(2, torch.get_num_threads());
                using (budget.JobStarted())
                {
                    Assert.Equal(2, budget.Running);
                    Assert.Equal(1, budget.Apply());
                    Assert.Equal(1, torch.get_num_threads());
                }
                Assert.Equal(2, budget.Apply());
            }
            Assert.Equal(0, budget.Running);
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Fact]
    public void Zero_alone_means_the_shared_count_and_zero_shared_leaves_libtorch_alone()
    {
        Assert.Equal(1, new TorchThreadBudget(1, 0).Alone);
        var untouched = new TorchThreadBudget(0, 0);
        var before = torch.get_num_threads();
        using (untouched.JobStarted()) Assert.Equal(before, untouched.Apply());
        Assert.Equal(before, torch.get_num_threads());
    }
}
