using Xunit;

// libtorch already uses both cores; parallel test classes only add contention.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
