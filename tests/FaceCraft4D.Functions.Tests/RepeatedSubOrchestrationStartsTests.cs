using DurableTask.Core;
using DurableTask.Core.History;
using FaceCraft4D.LocalHost.Durable;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// Which sub-orchestration starts of an episode are sent (<see cref="RepeatedSubOrchestrationStarts"/>): a start replayed
/// after a crash for a child that already runs is dropped; a retry of an ended child, a first start, a child left over from
/// an earlier execution of the parent and every other message go through.
/// </summary>
public sealed class RepeatedSubOrchestrationStartsTests
{
    private static readonly DateTime ParentStarted = new(2026, 12, 6, 20, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(OrchestrationStatus.Running, 5, true)] // started by this execution of the parent before the crash: the replay's start is dropped
    [InlineData(OrchestrationStatus.Pending, 5, true)]
    [InlineData(OrchestrationStatus.Suspended, 5, true)]
    [InlineData(OrchestrationStatus.Completed, 5, false)] // ended: a retry or restart starts it again
    [InlineData(OrchestrationStatus.Failed, 5, false)]
    [InlineData(OrchestrationStatus.Terminated, 5, false)]
    [InlineData(OrchestrationStatus.Running, -5, false)] // left over from an earlier execution of the parent: started again as before
    public async Task A_start_is_dropped_only_when_its_child_is_active_and_belongs_to_the_parents_current_execution(
        OrchestrationStatus status, int childCreatedSecondsAfterParent, bool dropped)
    {
        var start = Start("run.enhance-view.view-00");
        var states = new Dictionary<string, OrchestrationState>
        {
            ["run.enhance-view.view-00"] = State("run.enhance-view.view-00", status, ParentStarted.AddSeconds(childCreatedSecondsAfterParent)),
        };
        var told = new List<string>();

        var sent = await RepeatedSubOrchestrationStarts.WithoutActiveTargetsAsync(
            [start], id => Task.FromResult(states.GetValueOrDefault(id)), (m, _) => told.Add(m.OrchestrationInstance.InstanceId), ParentStarted);

        Assert.Equal(dropped ? 0 : 1, sent.Count);
        Assert.Equal(dropped ? ["run.enhance-view.view-00"] : [], told);
    }

    [Fact]
    public async Task First_starts_other_messages_and_raw_sends_are_judged_per_message()
    {
        var running = Start("run.enhance-view.view-00");
        var fresh = Start("run.enhance-view.view-01");
        var reply = new TaskMessage
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = "run", ExecutionId = "p1" },
            Event = new SubOrchestrationInstanceCompletedEvent(-1, 0, "{}"),
        };
        var topLevel = new TaskMessage
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = "other", ExecutionId = "x" },
            Event = new ExecutionStartedEvent(-1, "{}") { Name = "Run", OrchestrationInstance = new OrchestrationInstance { InstanceId = "other", ExecutionId = "x" } },
        };
        var states = new Dictionary<string, OrchestrationState>
        {
            ["run"] = State("run", OrchestrationStatus.Running, ParentStarted),
            ["run.enhance-view.view-00"] = State("run.enhance-view.view-00", OrchestrationStatus.Running, ParentStarted.AddSeconds(3)),
            ["other"] = State("other", OrchestrationStatus.Running, ParentStarted), // not a sub-orchestration start: never judged
        };

        // Without the parent's start time (a raw send), it is read from the parent's state.
        var sent = await RepeatedSubOrchestrationStarts.WithoutActiveTargetsAsync(
            [running, reply, fresh, topLevel], id => Task.FromResult(states.GetValueOrDefault(id)), (_, _) => { });

        Assert.Equal([reply, fresh, topLevel], sent);
    }

    [Fact]
    public async Task The_targets_of_a_fan_out_are_read_at_once_and_the_kept_starts_stay_in_order()
    {
        // Six starts of one episode (a fan-out): every read must be in flight before any answers, which a loop that reads
        // one target after another never reaches (it would wait for the first answer; the test then fails on the timeout).
        var starts = Enumerable.Range(0, 6).Select(i => Start($"run.enhance-view.view-0{i}")).ToArray();
        var allAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = 0;
        async Task<OrchestrationState?> Read(string id)
        {
            if (Interlocked.Increment(ref asked) == starts.Length)
            {
                allAsked.SetResult();
            }

            await allAsked.Task.WaitAsync(TimeSpan.FromSeconds(10));
            // view-02 is active since the parent's current execution started: the replayed start is dropped.
            return id == "run.enhance-view.view-02" ? State(id, OrchestrationStatus.Running, ParentStarted.AddSeconds(1)) : null;
        }

        var told = new List<string>();
        var sent = await RepeatedSubOrchestrationStarts.WithoutActiveTargetsAsync(
            starts, Read, (m, _) => told.Add(m.OrchestrationInstance.InstanceId), ParentStarted);

        Assert.Equal(starts.Length, asked);
        Assert.Equal(starts.Where((_, i) => i != 2), sent);
        Assert.Equal(["run.enhance-view.view-02"], told);
    }

    private static TaskMessage Start(string instanceId)
    {
        var instance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = Guid.NewGuid().ToString("N") };
        return new TaskMessage
        {
            OrchestrationInstance = instance,
            Event = new ExecutionStartedEvent(-1, "{}")
            {
                Name = "StageJob",
                OrchestrationInstance = instance,
                ParentInstance = new ParentInstance { OrchestrationInstance = new OrchestrationInstance { InstanceId = "run", ExecutionId = "p1" }, Name = "AvatarRun", TaskScheduleId = 0 },
            },
        };
    }

    private static OrchestrationState State(string instanceId, OrchestrationStatus status, DateTime created) => new()
    {
        OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = "e-" + instanceId },
        OrchestrationStatus = status,
        CreatedTime = created,
    };
}
