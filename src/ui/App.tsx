import { useState, type ChangeEvent } from 'react';
import type { EngineClient } from './engine/client';

/** Placeholder page until the IDE issue lands: names the product, where the CLI is, and imports replay files. */
export function App({ engine }: { engine: EngineClient }) {
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  async function importFile(e: ChangeEvent<HTMLInputElement>): Promise<void> {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    try {
      const res = await engine.importReplay(await file.arrayBuffer());
      const s = res.session!;
      setStatus({ ok: true, text: `Imported "${s.name}": ${s.position.frontier} instructions recorded.` });
    } catch (err) {
      setStatus({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  }

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: '2rem', maxWidth: '48rem' }}>
      <h1>Rewind</h1>
      <p>A time-travel debugger for RISC-V. The IDE is under construction; the command-line tool works today:</p>
      <pre>npx rewind run public/examples/hello.elf</pre>
      <label>
        Import a replay file <input type="file" accept=".rwd" onChange={(e) => void importFile(e)} />
      </label>
      {status && <p role={status.ok ? 'status' : 'alert'}>{status.text}</p>}
    </main>
  );
}
