/** Opening files (button and drag-and-drop): .s/.S source, .elf programs, .rwd replay files. */
import { loadElf, loadSource, importReplay } from './state/actions';
import { notify } from './state/store';

export type FileKind = 'source' | 'elf' | 'replay';

/** By name, then by content (ELF magic, replay file otherwise for binary). */
export async function classify(file: File): Promise<FileKind> {
  const n = file.name.toLowerCase();
  if (n.endsWith('.s') || n.endsWith('.asm')) return 'source';
  if (n.endsWith('.elf')) return 'elf';
  if (n.endsWith('.rwd')) return 'replay';
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  return 'replay';
}

export async function openFile(file: File, kind?: FileKind): Promise<void> {
  const k = kind ?? await classify(file);
  if (k === 'source') await loadSource(await file.text(), file.name);
  else if (k === 'elf') await loadElf(await file.arrayBuffer(), file.name);
  else await importReplay(await file.arrayBuffer(), file.name);
}

export function pickFile(accept: string, kind?: FileKind): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = accept;
  input.onchange = () => {
    const f = input.files?.[0];
    if (f) openFile(f, kind).catch((e: unknown) => notify('error', String(e)));
  };
  input.click();
}

export async function importReplayFile(file: File): Promise<void> {
  await importReplay(await file.arrayBuffer(), file.name);
}
