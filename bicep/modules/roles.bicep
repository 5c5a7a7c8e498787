// Built-in Azure role definition ids used by this deployment (the least each identity needs).

@export()
@description('Built-in role definition GUIDs.')
var builtInRoles = {
  // Functions host storage (AzureWebJobsStorage) and the blob trigger: the host leases blobs and creates containers.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Read/write/delete blobs, no ACL or container management.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // Read-only blob access (operator-supplied model weights).
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  // Durable Functions (Azure Storage provider) control / work-item queues and the blob trigger poison queue.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Durable Functions history and instances tables.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Pull images from the registry (GPU worker).
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  // Send telemetry to an Application Insights resource whose local (key) auth is disabled.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
