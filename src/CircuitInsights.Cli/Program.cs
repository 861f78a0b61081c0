namespace CircuitInsights.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("circuit-insights: under construction");
        return 0;
    }
}
