namespace CircuitInsights.Cli.Common;

public static class ExitCodes
{
    public const int Ok = 0;
    public const int BadInput = 1;
    public const int BadArguments = 2;
    public const int Cancelled = 130;
    public const int Internal = 70;
}
