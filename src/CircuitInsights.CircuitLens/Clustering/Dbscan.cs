namespace CircuitInsights.CircuitLens.Clustering;

/// <summary>
/// DBSCAN (Ester et al. 1996) on a precomputed distance matrix, with scikit-learn's conventions: a point is a core point
/// when at least <c>minSamples</c> points (itself included) lie within distance ≤ <c>eps</c>; clusters are grown from core
/// points in index order; points reachable from no core point are noise (label −1). Labels are 0, 1, … in order of
/// discovery, so results are deterministic.
/// </summary>
public static class Dbscan
{
    public static int[] Cluster(double[,] distances, double eps, int minSamples)
    {
        int n = distances.GetLength(0);
        if (distances.GetLength(1) != n) throw new ArgumentException("distance matrix must be square");
        var neighbours = new List<int>[n];
        for (int i = 0; i < n; i++)
        {
            neighbours[i] = [];
            for (int j = 0; j < n; j++) if (distances[i, j] <= eps) neighbours[i].Add(j);
        }
        var labels = Enumerable.Repeat(-1, n).ToArray();
        var visited = new bool[n];
        int cluster = 0;
        for (int i = 0; i < n; i++)
        {
            if (visited[i] || neighbours[i].Count < minSamples) continue;
            var queue = new Queue<int>();
            queue.Enqueue(i);
            visited[i] = true;
            labels[i] = cluster;
            while (queue.Count > 0)
            {
                int p = queue.Dequeue();
                if (neighbours[p].Count < minSamples) continue; // border point: no expansion
                foreach (int q in neighbours[p])
                {
                    if (labels[q] == -1) labels[q] = cluster;
                    if (visited[q]) continue;
                    visited[q] = true;
                    queue.Enqueue(q);
                }
            }
            cluster++;
        }
        return labels;
    }
}
