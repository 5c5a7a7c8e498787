// The browser test starts Chromium and a web host; nothing gains from running test classes in parallel on 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
