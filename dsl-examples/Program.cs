using System;
using NetGen.Examples;

return Cli.Run(args);
