using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>Every role assignment is a least-privilege data-plane role scoped to one resource (never the group).</summary>
[Collection(InfrastructureCollection.Name)]
public sealed partial class RoleAssignmentTests(CompiledInfrastructure infrastructure)
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string BlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string Owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    private const string Contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    private const string UserAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";

    // Snapshot ids of extension resources: [extensionResourceId('<scope id>', 'Microsoft.Authorization/roleAssignments', ...)]
    [GeneratedRegex(@"extensionResourceId\('(?<scope>[^']+)', 'Microsoft\.Authorization/roleAssignments'")]
    private static partial Regex AssignmentScope();

    [Fact]
    public void Assignments_are_exactly_the_expected_role_and_scope_pairs()
    {
        var snapshot = infrastructure.Snapshot("dev");
        var storage = (string)snapshot.Single("Microsoft.Storage/storageAccounts")["id"]!;
        var registry = (string)snapshot.Single("Microsoft.ContainerRegistry/registries")["id"]!;
        var appInsights = (string)snapshot.Single("Microsoft.Insights/components")["id"]!;
        string Container(string name) => $"{storage}/blobServices/default/containers/{name}";

        var expected = new (string Scope, string Role)[]
        {
            (storage, BlobDataOwner), (storage, QueueDataContributor), (storage, TableDataContributor),  // Functions
            (Container("models"), BlobDataReader),                                                       // worker
            (Container("runs"), BlobDataContributor), (Container("avatars"), BlobDataContributor), (Container("eval"), BlobDataContributor),
            (registry, AcrPull),                                                                         // worker
            ($"{storage}/queueServices/default/queues/worker-jobs", QueueDataContributor),              // worker (scale signal)
            (appInsights, MonitoringMetricsPublisher), (appInsights, MonitoringMetricsPublisher),        // both apps
        };

        var actual = Assignments(snapshot).Select(a => (a.Scope, a.Role)).ToList();
        Assert.Equal(expected.OrderBy(e => e.Scope).ThenBy(e => e.Role), actual.OrderBy(e => e.Scope).ThenBy(e => e.Role));
        Assert.All(Assignments(snapshot), a => Assert.Equal("ServicePrincipal", a.PrincipalType));
    }

    [Fact]
    public void Function_and_worker_identities_get_disjoint_storage_grants()
    {
        var assignments = Assignments(infrastructure.Snapshot("dev")).ToList();
        var functionPrincipal = assignments.Single(a => a.Role == BlobDataOwner).Principal;
        var workerPrincipal = assignments.Single(a => a.Role == AcrPull).Principal;

        Assert.NotEqual(functionPrincipal, workerPrincipal);
        Assert.Equal(new[] { BlobDataOwner, MonitoringMetricsPublisher, QueueDataContributor, TableDataContributor }.Order(),
            assignments.Where(a => a.Principal == functionPrincipal).Select(a => a.Role).Order());
        Assert.DoesNotContain(assignments, a => a.Principal == workerPrincipal && a.Role == BlobDataOwner);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void No_assignment_grants_a_management_plane_role_or_targets_the_resource_group(string environment)
    {
        var snapshot = infrastructure.Snapshot(environment);
        var resourceGroupId = (string)snapshot.Single("Microsoft.Resources/resourceGroups")["id"]!;

        Assert.All(Assignments(snapshot), a =>
        {
            Assert.DoesNotContain(a.Role, new[] { Owner, Contributor, UserAccessAdministrator });
            Assert.NotEqual(resourceGroupId, a.Scope, StringComparer.OrdinalIgnoreCase);
            Assert.StartsWith(resourceGroupId + "/providers/", a.Scope, StringComparison.OrdinalIgnoreCase);
        });
    }

    private static IEnumerable<(string Scope, string Role, string Principal, string PrincipalType)> Assignments(ArmSnapshot snapshot) =>
        snapshot.OfType("Microsoft.Authorization/roleAssignments").Select(assignment =>
        {
            var match = AssignmentScope().Match((string)assignment["id"]!);
            Assert.True(match.Success, $"unexpected role assignment id {assignment["id"]}");
            var properties = assignment["properties"]!;
            var roleDefinitionId = (string)properties["roleDefinitionId"]!;
            return (match.Groups["scope"].Value, roleDefinitionId[(roleDefinitionId.LastIndexOf('/') + 1)..],
                properties["principalId"]!.ToJsonString(), (string)properties["principalType"]!);
        });
}
