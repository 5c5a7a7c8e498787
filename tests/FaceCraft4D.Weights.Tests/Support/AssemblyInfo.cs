// Native libtorch work is already multi-threaded; running test classes in parallel on 2 cores only adds contention.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
