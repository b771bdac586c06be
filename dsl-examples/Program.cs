using NetGen.Examples;

return Cli.Run(args);
