namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// s-t minimum cut by the Boykov-Kolmogorov augmenting-path algorithm (search trees grown from both
/// terminals and reused between augmentations; orphans re-adopted). Built for grid graphs of image
/// segmentation (GrabCut). Capacities are non-negative floats.
/// </summary>
public sealed class MaxFlowGraph
{
    private const int None = -1, Terminal = -2, Orphan = -3;
    private readonly int nodeCount;
    private readonly int[] firstArc;
    private readonly List<int> arcHead = new(), arcNext = new();
    private readonly List<float> arcCap = new();
    private readonly float[] terminalCap; // > 0: residual from the source; < 0: residual to the sink
    private int[] parent = Array.Empty<int>();
    private bool[] inSinkTree = Array.Empty<bool>();
    private double flow;
    private bool solved;

    public MaxFlowGraph(int nodeCount)
    {
        this.nodeCount = nodeCount;
        firstArc = Enumerable.Repeat(None, nodeCount).ToArray();
        terminalCap = new float[nodeCount];
    }

    public int NodeCount => nodeCount;

    /// <summary>Adds capacities source->i and i->sink (both may be non-zero; only the difference matters to the cut).</summary>
    public void AddTerminalWeights(int i, float sourceCap, float sinkCap)
    {
        if (sourceCap < 0 || sinkCap < 0) throw new ArgumentOutOfRangeException(nameof(sourceCap), "capacities must be non-negative");
        flow += Math.Min(sourceCap, sinkCap);
        terminalCap[i] += sourceCap - sinkCap;
    }

    /// <summary>Adds an edge i->j with capacity <paramref name="cap"/> and j->i with <paramref name="reverseCap"/>.</summary>
    public void AddEdge(int i, int j, float cap, float reverseCap)
    {
        if (cap < 0 || reverseCap < 0) throw new ArgumentOutOfRangeException(nameof(cap), "capacities must be non-negative");
        if (i == j) return;
        AddArc(i, j, cap);
        AddArc(j, i, reverseCap);
    }

    private void AddArc(int from, int to, float cap)
    {
        arcHead.Add(to); arcCap.Add(cap); arcNext.Add(firstArc[from]);
        firstArc[from] = arcHead.Count - 1;
    }

    private static int Sister(int a) => a ^ 1;

    /// <summary>Computes the maximum flow; afterwards <see cref="IsSourceSide"/> gives the minimum cut.</summary>
    public double Solve(CancellationToken ct = default)
    {
        if (solved) throw new InvalidOperationException("already solved");
        solved = true;
        var head = arcHead.ToArray(); var next = arcNext.ToArray(); var cap = arcCap.ToArray();
        parent = Enumerable.Repeat(None, nodeCount).ToArray();
        inSinkTree = new bool[nodeCount];
        var active = new Queue<int>();
        var isActive = new bool[nodeCount];
        var orphans = new Stack<int>();
        for (int i = 0; i < nodeCount; i++)
        {
            if (terminalCap[i] > 0) { parent[i] = Terminal; inSinkTree[i] = false; Activate(i); }
            else if (terminalCap[i] < 0) { parent[i] = Terminal; inSinkTree[i] = true; Activate(i); }
        }

        int iterations = 0;
        while (active.Count > 0)
        {
            if ((++iterations & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
            int i = active.Peek();
            if (parent[i] == None) { active.Dequeue(); isActive[i] = false; continue; }
            int meet = None; // arc from the source-side node to the sink-side node
            for (int a = firstArc[i]; a != None; a = next[a])
            {
                int j = head[a];
                bool sink = inSinkTree[i];
                float residual = sink ? cap[Sister(a)] : cap[a];
                if (residual <= 0) continue;
                if (parent[j] == None)
                {
                    inSinkTree[j] = sink; parent[j] = Sister(a); Activate(j);
                }
                else if (inSinkTree[j] != sink)
                {
                    meet = sink ? Sister(a) : a;
                    break;
                }
            }
            if (meet == None) { active.Dequeue(); isActive[i] = false; continue; }
            Augment(meet);
            Adopt();
        }
        return flow;

        void Activate(int n)
        {
            if (!isActive[n]) { isActive[n] = true; active.Enqueue(n); }
        }

        void Augment(int mid)
        {
            int s = head[Sister(mid)], t = head[mid];
            float bottleneck = cap[mid];
            for (int u = s; ; )
            {
                int a = parent[u];
                if (a == Terminal) { bottleneck = Math.Min(bottleneck, terminalCap[u]); break; }
                bottleneck = Math.Min(bottleneck, cap[Sister(a)]);
                u = head[a];
            }
            for (int u = t; ; )
            {
                int a = parent[u];
                if (a == Terminal) { bottleneck = Math.Min(bottleneck, -terminalCap[u]); break; }
                bottleneck = Math.Min(bottleneck, cap[a]);
                u = head[a];
            }
            cap[mid] -= bottleneck; cap[Sister(mid)] += bottleneck;
            for (int u = s; ; )
            {
                int a = parent[u];
                if (a == Terminal)
                {
                    terminalCap[u] -= bottleneck;
                    if (terminalCap[u] <= 0) { terminalCap[u] = 0; MakeOrphan(u); }
                    break;
                }
                cap[Sister(a)] -= bottleneck; cap[a] += bottleneck;
                int up = head[a];
                if (cap[Sister(a)] <= 0) MakeOrphan(u);
                u = up;
            }
            for (int u = t; ; )
            {
                int a = parent[u];
                if (a == Terminal)
                {
                    terminalCap[u] += bottleneck;
                    if (terminalCap[u] >= 0) { terminalCap[u] = 0; MakeOrphan(u); }
                    break;
                }
                cap[a] -= bottleneck; cap[Sister(a)] += bottleneck;
                int up = head[a];
                if (cap[a] <= 0) MakeOrphan(u);
                u = up;
            }
            flow += bottleneck;
        }

        void MakeOrphan(int u) { parent[u] = Orphan; orphans.Push(u); }

        bool RootedAtTerminal(int j)
        {
            for (int u = j, steps = 0; steps <= nodeCount; steps++)
            {
                int a = parent[u];
                if (a == Terminal) return true;
                if (a == Orphan || a == None) return false;
                u = head[a];
            }
            return false;
        }

        void Adopt()
        {
            while (orphans.Count > 0)
            {
                int o = orphans.Pop();
                bool sink = inSinkTree[o];
                int newParent = None;
                for (int a = firstArc[o]; a != None; a = next[a])
                {
                    int j = head[a];
                    if (parent[j] == None || inSinkTree[j] != sink) continue;
                    float residual = sink ? cap[a] : cap[Sister(a)];
                    if (residual <= 0) continue;
                    if (RootedAtTerminal(j)) { newParent = a; break; }
                }
                if (newParent != None) { parent[o] = newParent; continue; }
                for (int a = firstArc[o]; a != None; a = next[a])
                {
                    int j = head[a];
                    if (parent[j] == None || inSinkTree[j] != sink) continue;
                    float residual = sink ? cap[a] : cap[Sister(a)];
                    if (residual > 0) Activate(j);
                    int pj = parent[j];
                    if (pj >= 0 && head[pj] == o) MakeOrphan(j);
                }
                parent[o] = None;
            }
        }
    }

    /// <summary>After <see cref="Solve"/>: true when node i is on the source side of the minimum cut.</summary>
    public bool IsSourceSide(int i)
    {
        if (!solved) throw new InvalidOperationException("call Solve first");
        return parent[i] != None && !inSinkTree[i];
    }
}
