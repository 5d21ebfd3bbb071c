/** The IDE layout: toolbar, editor, side panels, console, timeline; drag-and-drop of files anywhere. */
import { useEffect, useState, type DragEvent } from 'react';
import type { EngineClient } from './engine/client';
import { Toolbar } from './Toolbar';
import { SourceEditor, editorAccess } from './editor/SourceEditor';
import { RegistersPanel } from './panels/Registers';
import { MemoryPanel } from './panels/Memory';
import { DisassemblyPanel } from './panels/Disassembly';
import { BreakpointsPanel } from './panels/Breakpoints';
import { InfoReplayPanel } from './panels/InfoReplay';
import { ConsolePanel } from './panels/Console';
import { SessionsPanel, type ExampleEntry } from './panels/Sessions';
import { Timeline } from './timeline/Timeline';
import { Splitter } from './Splitter';
import { Notices } from './Notices';
import { useIde, notify } from './state/store';
import { useLayout } from './state/layout';
import { startIde, loadSource, loadElf, motion, setReplayBreak } from './state/actions';
import { hooks } from './commands/registry';
import { installShortcuts } from './commands/shortcuts';
import { openFile, pickFile } from './files';
import { importReplayFile as importReplay } from './files';
import { errorText, parseNumber } from './format';

interface ExampleIndex { examples: ExampleEntry[]; assembly?: ExampleEntry[] }

async function fetchExamples(): Promise<ExampleEntry[]> {
  const r = await fetch('examples/index.json');
  const idx = await r.json() as ExampleIndex;
  return [...(idx.assembly ?? []), ...idx.examples];
}

/** Opens an example; `preview` (first start) keeps it in memory until the user runs it. */
async function openExample(e: ExampleEntry, preview = false): Promise<void> {
  if (e.source) {
    const text = await (await fetch(`examples/${e.source}`)).text();
    await loadSource(text, e.source, [], preview);
  } else if (e.elf) {
    await loadElf(await (await fetch(`examples/${e.elf}`)).arrayBuffer(), e.elf, preview);
  }
}

type SideTab = 'debug' | 'sessions';

export function App({ engine }: { engine: EngineClient }) {
  const layout = useLayout();
  const [examples, setExamples] = useState<ExampleEntry[]>([]);
  const [tab, setTab] = useState<SideTab>('debug');
  const [dropping, setDropping] = useState(false);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const un = installShortcuts();
    hooks.openFile = () => pickFile('.s,.S,.asm,.elf,.rwd');
    hooks.importFile = () => document.getElementById('import-replay-input')?.click();
    hooks.replayBreak = () => {
      const s = useIde.getState();
      if (s.replayBreak !== null) { void setReplayBreak(null); return; }
      const v = prompt('replay_break: stop a forward continue at instruction count', String((s.position?.icount ?? 0) + 1000));
      const n = v === null ? undefined : parseNumber(v);
      if (n !== undefined) void setReplayBreak(n);
    };
    hooks.assembleAndRun = async () => {
      const s = useIde.getState();
      // Assembles when the text changed, or the session is the first-start preview (not stored).
      if (!s.listing && (editorAccess.dirty() || !s.session || !s.session.persisted)) {
        const ok = await loadSource(editorAccess.text(), s.sourceName || 'program.s', editorAccess.breakpointLines());
        if (!ok) return;
      }
      await motion('continueForward');
    };
    let cancelled = false;
    void (async () => {
      let list: ExampleEntry[] = [];
      try { list = await fetchExamples(); } catch (e) { notify('warning', `Examples are not available: ${errorText(e)}`); }
      if (cancelled) return;
      setExamples(list);
      await startIde(engine, async () => { if (list[0]) await openExample(list[0], true); });
      setReady(true);
      // Scripts (and the tests) get the client once the IDE has set itself up.
      window.rewind = engine;
    })();
    return () => { cancelled = true; un(); };
  }, [engine]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDropping(false);
    const f = e.dataTransfer.files[0];
    if (f) void openFile(f);
  };

  return (
    <div className="app" data-ready={ready ? 'true' : 'false'}
      onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) { e.preventDefault(); setDropping(true); } }}
      onDragLeave={(e) => { if (e.currentTarget === e.target) setDropping(false); }}
      onDrop={onDrop}>
      <h1 className="sr-only">Rewind</h1>
      <Toolbar />
      <div className="main" style={{ gridTemplateColumns: `minmax(300px, 1fr) 6px ${layout.sideWidth}px` }}>
        <div className="center" style={{ gridTemplateRows: `minmax(120px, 1fr) 6px ${layout.consoleHeight}px` }}>
          <SourceEditor />
          <Splitter axis="y" label="Resize console" onDrag={(d) => useLayout.setState((l) => ({ consoleHeight: Math.max(80, Math.min(600, l.consoleHeight - d)) }))} />
          <ConsolePanel />
        </div>
        <Splitter axis="x" label="Resize side panels" onDrag={(d) => useLayout.setState((l) => ({ sideWidth: Math.max(320, Math.min(900, l.sideWidth - d)) }))} />
        <aside className="side">
          <div className="tabs" role="tablist">
            <button role="tab" aria-selected={tab === 'debug'} onClick={() => setTab('debug')}>Debug</button>
            <button role="tab" aria-selected={tab === 'sessions'} onClick={() => setTab('sessions')}>Sessions &amp; examples</button>
          </div>
          {tab === 'debug' ? (
            <div className="side-grid" style={{ gridTemplateRows: `${layout.registersHeight}px 6px minmax(0, 1fr)` }}>
              <div className="side-top">
                <RegistersPanel />
                <div className="side-top-right"><InfoReplayPanel /><BreakpointsPanel /></div>
              </div>
              <Splitter axis="y" label="Resize registers" onDrag={(d) => useLayout.setState((l) => ({ registersHeight: Math.max(140, Math.min(700, l.registersHeight + d)) }))} />
              <div className="side-bottom"><MemoryPanel /><DisassemblyPanel /></div>
            </div>
          ) : (
            <SessionsPanel examples={examples} onExample={(e) => void openExample(e)} />
          )}
        </aside>
      </div>
      <Timeline />
      <Notices />
      <input type="file" accept=".rwd" aria-label="Import a replay file" className="sr-only" tabIndex={-1} id="import-replay-input"
        onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importReplay(f); }} />
      {dropping && <div className="drop-overlay">Drop a .s / .S source, an .elf program or a .rwd replay file</div>}
    </div>
  );
}
