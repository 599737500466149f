using SupportDesk.Cli;

// `dotnet run --project samples/SupportDesk`: see samples/SupportDesk/README.md for what it shows.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop the traffic, finish the last conversations, print the report
    cancel.Cancel();
};

return await SupportDeskCommand.InvokeAsync(args, Console.Out, Console.Error, cancel.Token);
