using JwtFunctions.AdminTool;

// The administration tool: `users create | list | set-roles | disable | enable | unlock | reset-password`
// against the app's Table Storage (README, "Administration tool").
//   AdminCommandLine  the commands and options (System.CommandLine), usage errors -> exit 2
//   UserCommands      what each command does, through the app's own UserAdministration
//   StorageTarget     which Table Storage and with which credential; its failures as fixed messages
//   PasswordInput     the password from stdin when redirected, else a no-echo prompt; never an argument
//   ExitCodes         one exit code per kind of outcome
return await AdminCommandLine.RunAsync(args);
