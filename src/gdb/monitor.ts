// `monitor ...` (qRcmd) commands with QEMU's record/replay names, help texts and messages.
import type { GdbJob, GdbTarget } from './target';

interface MonitorCommand {
  name: string;
  args: string;
  help: string;
}

/** QEMU's HMP help lines for the commands Rewind implements. */
const COMMANDS: readonly MonitorCommand[] = [
  { name: 'help', args: '[cmd]', help: 'show the help' },
  { name: 'info', args: '[subcommand]', help: 'show various information about the system state' },
  { name: 'replay_break', args: 'icount', help: 'set breakpoint at the specified instruction count' },
  { name: 'replay_delete_break', args: '', help: 'remove replay breakpoint' },
  { name: 'replay_seek', args: 'icount', help: 'replay execution to the specified instruction count' },
];

const INFO_COMMANDS: readonly MonitorCommand[] = [
  { name: 'replay', args: '', help: 'show record/replay information' },
];

function helpLine(c: MonitorCommand, prefix = ''): string {
  return `${prefix}${c.name} ${c.args} -- ${c.help}\n`;
}

/** An instruction count as HMP reads it: decimal or 0x-prefixed hex. */
function parseIcount(command: string, text: string | undefined): number {
  if (text === undefined) throw new Error(`Parameter 'icount' is missing`);
  const m = /^(?:0[xX]([0-9a-fA-F]+)|(\d+))$/.exec(text);
  const v = m ? (m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2])) : NaN;
  if (!Number.isSafeInteger(v)) throw new Error(`${command}: '${text}' is not an instruction count (a non-negative integer)`);
  return v;
}

/**
 * Runs one monitor command. Output goes to `print`; a command that takes time (replay_seek)
 * returns its job, the others null. Throws with the message to show for a bad command.
 */
export function runMonitorCommand(line: string, target: GdbTarget, print: (text: string) => void): GdbJob | null {
  const words = line.trim().split(/\s+/).filter((w) => w.length > 0);
  const [name, ...args] = words;
  if (name === undefined) return null;
  const extra = (n: number): void => {
    if (args.length > n) throw new Error(`${name}: too many arguments`);
  };
  switch (name) {
    case 'help': case '?': {
      const topic = args[0];
      if (topic === undefined) {
        for (const c of COMMANDS) print(helpLine(c));
        return null;
      }
      if (topic === 'info') {
        for (const c of INFO_COMMANDS) print(helpLine(c, 'info '));
        return null;
      }
      const c = COMMANDS.find((x) => x.name === topic);
      if (!c) throw new Error(`unknown command: '${topic}'`);
      print(helpLine(c));
      return null;
    }
    case 'info': {
      const what = args[0];
      if (what === undefined) {
        for (const c of INFO_COMMANDS) print(helpLine(c, 'info '));
        return null;
      }
      if (what !== 'replay') throw new Error(`unknown command: 'info ${what}'`);
      extra(1);
      print(target.infoReplay() + '\n');
      return null;
    }
    case 'replay_break': {
      const icount = parseIcount(name, args[0]);
      extra(1);
      target.replayBreak(icount);
      return null;
    }
    case 'replay_delete_break':
      extra(0);
      target.replayDeleteBreak();
      return null;
    case 'replay_seek': {
      const icount = parseIcount(name, args[0]);
      extra(1);
      return target.replaySeek(icount);
    }
    default:
      throw new Error(`unknown command: '${name}'`);
  }
}
