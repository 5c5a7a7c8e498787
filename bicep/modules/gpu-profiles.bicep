// Serverless GPU workload profiles of Azure Container Apps (Consumption GPU, billed per second, scale to zero)
// and the container size each one gives a single replica. One GPU per replica; the first container gets it.

@export()
@description('Workload profile types for serverless GPUs in Azure Container Apps.')
type GpuWorkloadProfileType = 'Consumption-GPU-NC8as-T4' | 'Consumption-GPU-NC24-A100'

@export()
@description('Container size for one replica on a GPU profile.')
type GpuProfileSize = {
  @description('Workload profile name inside the environment (derived from the GPU, so switching GPU adds a profile instead of mutating one).')
  profileName: string
  @description('vCPU cores of one replica.')
  cpu: int
  @description('Memory of one replica (Kubernetes quantity).')
  memory: string
}

@export()
@description('Replica sizes: the whole GPU node slice (T4: 8 vCPU / 56 GiB, A100: 24 vCPU / 220 GiB).')
var gpuProfileSizes = {
  'Consumption-GPU-NC8as-T4': {
    profileName: 'gpu-t4'
    cpu: 8
    memory: '56Gi'
  }
  'Consumption-GPU-NC24-A100': {
    profileName: 'gpu-a100'
    cpu: 24
    memory: '220Gi'
  }
}
