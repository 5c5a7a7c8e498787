using FaceCraft4D.Vision.Preprocessing.Matting;

namespace FaceCraft4D.Vision.Tests;

public sealed class MaxFlowGraphTests
{
    [Fact]
    public void Textbook_network_has_the_known_max_flow()
    {
        // CLRS figure 26.1 (s=source, t=sink; inner nodes v1..v4 = 0..3): max flow 23.
        var g = new MaxFlowGraph(4);
        g.AddTerminalWeights(0, 16, 0); g.AddTerminalWeights(1, 13, 0);
        g.AddEdge(0, 2, 12, 0); g.AddEdge(1, 0, 4, 0); g.AddEdge(2, 1, 9, 0); g.AddEdge(1, 3, 14, 0);
        g.AddEdge(3, 2, 7, 0); g.AddTerminalWeights(2, 0, 20); g.AddTerminalWeights(3, 0, 4);
        Assert.Equal(23, g.Solve(), 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_graphs_match_an_edmonds_karp_reference_and_the_cut_equals_the_flow(int seed)
    {
        var rng = new Random(seed);
        int n = 30;
        var cap = new double[n + 2, n + 2]; // node n = source, n + 1 = sink
        var g = new MaxFlowGraph(n);
        for (int i = 0; i < n; i++)
        {
            float s = rng.NextDouble() < 0.4 ? (float)rng.Next(1, 20) : 0, t = rng.NextDouble() < 0.4 ? (float)rng.Next(1, 20) : 0;
            g.AddTerminalWeights(i, s, t);
            cap[n, i] += s; cap[i, n + 1] += t;
        }
        for (int e = 0; e < 90; e++)
        {
            int i = rng.Next(n), j = rng.Next(n);
            if (i == j) continue;
            float c1 = rng.Next(0, 15), c2 = rng.Next(0, 15);
            g.AddEdge(i, j, c1, c2);
            cap[i, j] += c1; cap[j, i] += c2;
        }
        double flow = g.Solve();
        Assert.Equal(EdmondsKarp((double[,])cap.Clone(), n, n + 1), flow, 3);
        // the reported cut's capacity equals the flow (max-flow min-cut theorem)
        double cut = 0;
        bool Side(int v) => v == n || (v != n + 1 && g.IsSourceSide(v));
        for (int u = 0; u < n + 2; u++) for (int v = 0; v < n + 2; v++) if (Side(u) && !Side(v)) cut += cap[u, v];
        Assert.Equal(flow, cut, 3);
    }

    private static double EdmondsKarp(double[,] c, int s, int t)
    {
        int n = c.GetLength(0);
        double total = 0;
        while (true)
        {
            var prev = Enumerable.Repeat(-1, n).ToArray();
            prev[s] = s;
            var q = new Queue<int>(new[] { s });
            while (q.Count > 0 && prev[t] < 0)
            {
                int u = q.Dequeue();
                for (int v = 0; v < n; v++) if (prev[v] < 0 && c[u, v] > 1e-9) { prev[v] = u; q.Enqueue(v); }
            }
            if (prev[t] < 0) return total;
            double b = double.MaxValue;
            for (int v = t; v != s; v = prev[v]) b = Math.Min(b, c[prev[v], v]);
            for (int v = t; v != s; v = prev[v]) { c[prev[v], v] -= b; c[v, prev[v]] += b; }
            total += b;
        }
    }
}
