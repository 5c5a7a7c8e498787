#!/usr/bin/env bash
# Subscribes the upload function (blob trigger with the Event Grid source - the only blob trigger Flex Consumption
# runs) to BlobCreated events of the `uploads` container, through the storage account's Event Grid system topic.
#
# Runs after the Functions code is deployed, because the webhook URL carries the `blobs_extension` system key,
# which the Functions host creates when it first starts with a blob trigger. Idempotent: re-running updates the
# subscription (e.g. after the key was rotated).
#
# Called by `azd` (postdeploy hook in azure.yaml, which exports the Bicep outputs as environment variables) and by
# .github/workflows/deploy.yml. Needs an Azure CLI session (`az login` / azure/login).
#
# Environment:
#   AZURE_RESOURCE_GROUP            resource group (Bicep output)
#   AZURE_FUNCTION_APP_NAME         function app (Bicep output)
#   FC4D_UPLOADS_SYSTEM_TOPIC_NAME  Event Grid system topic on the storage account (Bicep output)
#   FC4D_UPLOAD_FUNCTION_NAME       optional: the blob-triggered function; found automatically when the app has
#                                   exactly one blob-triggered function
#   FC4D_UPLOADS_CONTAINER          optional, default `uploads`
set -euo pipefail

: "${AZURE_RESOURCE_GROUP:?AZURE_RESOURCE_GROUP is not set (run after provisioning)}"
: "${AZURE_FUNCTION_APP_NAME:?AZURE_FUNCTION_APP_NAME is not set (run after provisioning)}"
: "${FC4D_UPLOADS_SYSTEM_TOPIC_NAME:?FC4D_UPLOADS_SYSTEM_TOPIC_NAME is not set (run after provisioning)}"
container="${FC4D_UPLOADS_CONTAINER:-uploads}"
subscription_name="uploads-to-functions"
attempts=30

log() { printf 'subscribe-upload-events: %s\n' "$*" >&2; }

function_name="${FC4D_UPLOAD_FUNCTION_NAME:-}"
if [[ -z "$function_name" ]]; then
  # ARM lists functions as "<app>/<function>" with their bindings once the host has indexed the deployed code.
  for ((i = 1; i <= attempts; i++)); do
    mapfile -t blob_functions < <(az functionapp function list \
      --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
      --query "[?config.bindings[?type=='blobTrigger']].name" --output tsv 2>/dev/null || true)
    ((${#blob_functions[@]} > 0)) && break
    log "waiting for the Functions host to index the deployed functions ($i/$attempts)"
    sleep 10
  done
  if ((${#blob_functions[@]} != 1)); then
    log "expected exactly one blob-triggered function, found ${#blob_functions[@]}: ${blob_functions[*]:-none}."
    log "Set FC4D_UPLOAD_FUNCTION_NAME to the function that handles uploads."
    exit 1
  fi
  function_name="${blob_functions[0]##*/}"
fi
log "function: $function_name, container: $container"

blobs_key=""
for ((i = 1; i <= attempts; i++)); do
  blobs_key="$(az functionapp keys list \
    --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)"
  [[ -n "$blobs_key" ]] && break
  log "waiting for the blobs_extension system key ($i/$attempts)"
  sleep 10
done
if [[ -z "$blobs_key" ]]; then
  log "the Functions host has not created the blobs_extension key: is a blob trigger with Source = EventGrid deployed?"
  exit 1
fi
# Never print the key; mask it in GitHub Actions logs.
if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then
  echo "::add-mask::$blobs_key"
fi

host_name="$(az functionapp show --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
  --query defaultHostName --output tsv)"
endpoint="https://${host_name}/runtime/webhooks/blobs?functionName=Host.Functions.${function_name}&code=${blobs_key}"

common_args=(
  --resource-group "$AZURE_RESOURCE_GROUP"
  --system-topic-name "$FC4D_UPLOADS_SYSTEM_TOPIC_NAME"
  --name "$subscription_name"
  --endpoint "$endpoint"
  --included-event-types Microsoft.Storage.BlobCreated
  --subject-begins-with "/blobServices/default/containers/${container}/"
)

if az eventgrid system-topic event-subscription show \
  --resource-group "$AZURE_RESOURCE_GROUP" --system-topic-name "$FC4D_UPLOADS_SYSTEM_TOPIC_NAME" \
  --name "$subscription_name" --output none 2>/dev/null; then
  log "updating event subscription $subscription_name"
  az eventgrid system-topic event-subscription update "${common_args[@]}" --output none
else
  log "creating event subscription $subscription_name"
  az eventgrid system-topic event-subscription create "${common_args[@]}" \
    --endpoint-type webhook --max-delivery-attempts 30 --event-ttl 1440 --output none
fi
log "BlobCreated events of ${container}/ now reach ${function_name}"
