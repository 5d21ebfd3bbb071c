// `rewind <command> [args]`: the Node command-line entry point (bin/rewind.mjs runs this through tsx).
// A command is `(args) => Promise<exit status>`, loaded on demand so one command's
// dependencies do not slow down or break the others. Adding a command is one line in COMMANDS.

export type Command = (args: string[]) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, CommandEntry> = {
  run: { summary: 'run a RISC-V ELF (or assembly source) on the virt machine', load: async () => (await import('./run')).runCommand },
  asm: { summary: 'assemble RISC-V assembly into an ELF', load: async () => (await import('./asm')).asmCommand },
  record: { summary: 'record a run of a program into a replay file', load: async () => (await import('./record')).recordCommand },
  replay: { summary: 'replay a replay file to an instruction count and show the state there', load: async () => (await import('./replay')).replayCommand },
  gdbserver: { summary: 'serve a program or replay file to gdb (remote protocol, reverse execution)', load: async () => (await import('./gdbserver')).gdbserverCommand },
  help: { summary: 'show help for a command', load: async () => helpCommand },
};

export const USAGE_ERROR = 2;

async function helpCommand(args: string[]): Promise<number> {
  const name = args[0];
  if (name !== undefined && name in COMMANDS && name !== 'help') {
    // Every command prints its own usage for --help.
    return (await (COMMANDS[name] as CommandEntry).load())(['--help']);
  }
  if (name !== undefined && name !== 'help') {
    process.stderr.write(`rewind: unknown command '${name}'\n`);
  }
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  process.stdout.write(`Rewind: a time-travel debugger for RISC-V (RV32IMAC, QEMU virt machine)

usage: rewind <command> [options]

commands:
${lines.join('\n')}

Run 'rewind help <command>' or 'rewind <command> --help' for a command's options.
`);
  return name !== undefined && !(name in COMMANDS) ? USAGE_ERROR : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') return helpCommand([]);
  const entry = COMMANDS[name];
  if (entry === undefined) {
    process.stderr.write(`rewind: unknown command '${name}' (try 'rewind help')\n`);
    return USAGE_ERROR;
  }
  return (await entry.load())(rest);
}
