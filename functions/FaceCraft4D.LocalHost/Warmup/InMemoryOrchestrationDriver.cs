using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker.Grpc;
using P = Microsoft.DurableTask.Protobuf;

namespace FaceCraft4D.LocalHost.Warmup;

/// <summary>
/// Runs an orchestrator function in memory through the Durable Task SDK's own replay executor
/// (<see cref="GrpcOrchestrationRunner"/>: the history goes in as an encoded request, the orchestrator's new actions come
/// out), completing each activity it schedules with an answer given by the caller, step after step. Nothing reaches the
/// durable engine or storage: it exists to run the orchestration code paths once (JIT) before the first real run.
/// </summary>
public sealed class InMemoryOrchestrationDriver(IServiceProvider services, DataConverter? converter = null)
{
    private readonly DataConverter json = converter ?? JsonDataConverter.Default;

    /// <summary>What one step of the orchestrator asked for.</summary>
    /// <param name="Activities">Activities scheduled: name and input (JSON).</param>
    /// <param name="SubOrchestrations">Sub-orchestrations started (names).</param>
    /// <param name="Timers">Durable timers created.</param>
    /// <param name="Completed">True when the orchestration completed (or continued as new).</param>
    public sealed record Step(IReadOnlyList<(string Name, string? Input)> Activities, IReadOnlyList<string> SubOrchestrations, int Timers, bool Completed);

    /// <summary>
    /// Starts <paramref name="orchestrator"/> with <paramref name="input"/> and replays it, answering every activity with
    /// <paramref name="answer"/> (name, input JSON -> result object), until a step asks for no activity, or after
    /// <paramref name="maxSteps"/> steps. Returns the steps in order.
    /// </summary>
    public IReadOnlyList<Step> Run<TInput, TOutput>(
        string name, Func<TaskOrchestrationContext, TInput, Task<TOutput>> orchestrator, TInput input,
        Func<string, string?, object?> answer, int maxSteps, DateTime startedAt)
    {
        var instanceId = $"warmup-{Guid.NewGuid():N}";
        var past = new List<P.HistoryEvent>();
        var fresh = new List<P.HistoryEvent>
        {
            Started(startedAt),
            new()
            {
                EventId = -1,
                Timestamp = Timestamp.FromDateTime(startedAt),
                ExecutionStarted = new P.ExecutionStartedEvent
                {
                    Name = name,
                    Input = json.Serialize(input),
                    OrchestrationInstance = new P.OrchestrationInstance { InstanceId = instanceId, ExecutionId = Guid.NewGuid().ToString("N") },
                },
            },
        };
        var steps = new List<Step>();
        var clock = startedAt;
        for (var i = 0; i < maxSteps; i++)
        {
            var request = new P.OrchestratorRequest { InstanceId = instanceId };
            request.PastEvents.AddRange(past);
            request.NewEvents.AddRange(fresh);
            var encoded = GrpcOrchestrationRunner.LoadAndRun(Convert.ToBase64String(request.ToByteArray()), orchestrator, services);
            var response = P.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(encoded));
            past.AddRange(fresh);
            clock = clock.AddMilliseconds(1);
            fresh = [Started(clock)];

            var activities = new List<(string, string?)>();
            var subs = new List<string>();
            int timers = 0;
            var completed = false;
            foreach (var action in response.Actions)
            {
                switch (action.OrchestratorActionTypeCase)
                {
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.ScheduleTask:
                        var task = action.ScheduleTask;
                        activities.Add((task.Name, task.Input));
                        past.Add(new P.HistoryEvent
                        {
                            EventId = action.Id, Timestamp = Timestamp.FromDateTime(clock),
                            TaskScheduled = new P.TaskScheduledEvent { Name = task.Name, Input = task.Input },
                        });
                        fresh.Add(new P.HistoryEvent
                        {
                            EventId = -1, Timestamp = Timestamp.FromDateTime(clock),
                            TaskCompleted = new P.TaskCompletedEvent { TaskScheduledId = action.Id, Result = json.Serialize(answer(task.Name, task.Input)) },
                        });
                        break;
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CreateSubOrchestration:
                        subs.Add(action.CreateSubOrchestration.Name);
                        break;
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CreateTimer:
                        timers++;
                        break;
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CompleteOrchestration:
                        completed = true;
                        break;
                }
            }

            steps.Add(new Step(activities, subs, timers, completed));
            if (activities.Count == 0 || completed)
            {
                break;
            }
        }

        return steps;
    }

    /// <summary>Reads an activity input the way the orchestration wrote it.</summary>
    public T? Read<T>(string? input)
    {
        // DurableTask.Core hands activities their parameters as a JSON array (one element here).
        if (input is not null && input.TrimStart().StartsWith('['))
        {
            var first = System.Text.Json.Nodes.JsonNode.Parse(input) is System.Text.Json.Nodes.JsonArray { Count: > 0 } array ? array[0] : null;
            return first is null ? default : json.Deserialize<T>(first.ToJsonString());
        }

        return json.Deserialize<T>(input);
    }

    private static P.HistoryEvent Started(DateTime at) => new()
    {
        EventId = -1,
        Timestamp = Timestamp.FromDateTime(at),
        OrchestratorStarted = new P.OrchestratorStartedEvent(),
    };
}
