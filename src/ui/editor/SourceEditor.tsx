/**
 * The Monaco editor: assembly source (or an ELF's disassembly, read-only), diagnostics as markers
 * while typing, gutter breakpoints that follow edits, the current line, register values on hover.
 */
import { useEffect, useRef } from 'react';
import { monaco } from './monaco';
import { LANGUAGE_ID } from './language';
import { useIde } from '../state/store';
import { engineClient, addressOfLine, lineOf, setBreakpoints } from '../state/actions';
import { registerNumber } from '../../isa';
import { hex32 } from '../format';

/** What the rest of the IDE needs from the editor (set while it is mounted). */
export const editorAccess = {
  text: (): string => useIde.getState().sourceText,
  breakpointLines: (): number[] => [],
  /** True when the text differs from the loaded program's source. */
  dirty: (): boolean => false,
};

export function SourceEditor() {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const bpDecos = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);
  const pcDecos = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);
  const loadedText = useRef<string>('');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const model = monaco.editor.createModel('', LANGUAGE_ID);
    const editor = monaco.editor.create(el, {
      model, theme: 'rewind-dark', glyphMargin: true, automaticLayout: true, minimap: { enabled: false },
      fontSize: 13, lineHeight: 20, fontFamily: "'JetBrains Mono', 'Fira Code', Menlo, Consolas, monospace",
      scrollBeyondLastLine: false, renderLineHighlight: 'none', tabSize: 8, insertSpaces: false,
      lineNumbersMinChars: 4, fixedOverflowWidgets: true, ariaLabel: 'Source editor',
    });
    editorRef.current = editor;
    // Monaco's screen-reader announcer uses role="alert"; the IDE's own errors are the page's
    // alerts, so the announcer becomes an assertive live log (announced the same way).
    for (const el of document.querySelectorAll('.monaco-alert')) { el.setAttribute('role', 'log'); el.setAttribute('aria-live', 'assertive'); }
    bpDecos.current = editor.createDecorationsCollection();
    pcDecos.current = editor.createDecorationsCollection();

    const bpLines = () => (bpDecos.current?.getRanges() ?? []).map((r) => r.startLineNumber);
    const isDirty = () => !useIde.getState().listing && model.getValue() !== loadedText.current;
    editorAccess.text = () => model.getValue();
    editorAccess.breakpointLines = () => [...new Set(bpLines())];
    editorAccess.dirty = isDirty;

    const drawBreakpoints = (lines: number[]) => {
      bpDecos.current?.set([...new Set(lines)].map((line) => ({
        range: new monaco.Range(line, 1, line, 1),
        options: { glyphMarginClassName: 'bp-glyph', glyphMarginHoverMessage: { value: 'Breakpoint (click to remove)' }, stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges },
      })));
    };

    const toggleLine = (line: number) => {
      const lines = bpLines();
      const next = lines.includes(line) ? lines.filter((l) => l !== line) : [...lines, line];
      if (isDirty()) { drawBreakpoints(next); return; }
      const addr = addressOfLine(line);
      if (addr === undefined && !lines.includes(line)) return; // no instruction on that line
      drawBreakpoints(next);
      const addrs = next.map((l) => addressOfLine(l)).filter((a): a is number => a !== undefined);
      void setBreakpoints(addrs);
    };

    editor.onMouseDown((e) => {
      const t = e.target.type;
      if ((t === monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN || t === monaco.editor.MouseTargetType.GUTTER_LINE_NUMBERS) && e.target.position) {
        toggleLine(e.target.position.lineNumber);
      }
    });

    // Diagnostics while typing: assembled in the worker (the UI does not import the assembler).
    let timer: ReturnType<typeof setTimeout> | null = null;
    let checkSeq = 0;
    const check = () => {
      if (useIde.getState().listing) { monaco.editor.setModelMarkers(model, 'asm', []); return; }
      const seq = ++checkSeq;
      void engineClient().api.check(model.getValue()).then((diags) => {
        if (seq !== checkSeq) return;
        useIde.setState({ diagnostics: diags });
        monaco.editor.setModelMarkers(model, 'asm', diags.map((d) => ({
          severity: d.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
          startLineNumber: d.line, endLineNumber: d.line, startColumn: d.column, endColumn: Math.max(d.endColumn, d.column + 1), message: d.message,
        })));
      }).catch(() => { /* the worker is busy with a new program; the next edit checks again */ });
    };
    const onChange = model.onDidChangeContent(() => {
      useIde.setState({ sourceDirty: isDirty() });
      if (timer) clearTimeout(timer);
      timer = setTimeout(check, 250);
    });

    // Register values on hover.
    const hover = monaco.languages.registerHoverProvider(LANGUAGE_ID, {
      provideHover: (m, pos) => {
        if (m !== model) return null;
        const w = m.getWordAtPosition(pos);
        if (!w) return null;
        const n = registerNumber(w.word.toLowerCase());
        const regs = useIde.getState().registers;
        if (n === undefined || !regs) return null;
        const v = regs.x[n] ?? 0;
        return {
          range: new monaco.Range(pos.lineNumber, w.startColumn, pos.lineNumber, w.endColumn),
          contents: [{ value: `**${w.word}** = \`0x${hex32(v)}\` (${v | 0}) at icount ${regs.icount.toLocaleString('en-US')}` }],
        };
      },
    });

    let pcKey = '-';
    // Follow the store: new program text, breakpoints, current line.
    const render = (s = useIde.getState(), prev?: ReturnType<typeof useIde.getState>) => {
      if (!prev || s.sourceText !== prev.sourceText || s.session?.id !== prev.session?.id || s.listing !== prev.listing) {
        if (s.sourceText !== loadedText.current || model.getValue() !== s.sourceText) {
          loadedText.current = s.sourceText;
          if (model.getValue() !== s.sourceText) model.setValue(s.sourceText);
        }
        editor.updateOptions({ readOnly: s.listing !== null });
        check();
        pcKey = '-';
      }
      if (!isDirty() && (!prev || s.breakpoints !== prev.breakpoints || s.lineMap !== prev.lineMap)) {
        drawBreakpoints(s.breakpoints.map((a) => lineOf(a, s.lineMap)).filter((l): l is number => l !== undefined));
      }
      // The current line follows the registers (read after each stop), not every position event.
      if (!prev || s.registers !== prev.registers || s.lineMap !== prev.lineMap || s.sourceDirty !== prev.sourceDirty) {
        const pos = s.registers;
        const line = pos && !isDirty() ? lineOf(pos.pc, s.lineMap) : undefined;
        const past = pos !== null && s.info !== null && pos.icount < s.info.frontier;
        // Position events arrive every frame while running: touch Monaco only when the line changes.
        // While running, the last stop's line stays marked (each Monaco update forces a layout).
        if (s.running) return;
        const key = line === undefined ? '' : `${line}:${past}`;
        if (key === pcKey) return;
        pcKey = key;
        if (key === '' || line === undefined) { pcDecos.current?.clear(); return; }
        pcDecos.current?.set([{
          range: new monaco.Range(line, 1, line, 1),
          options: {
            isWholeLine: true, className: past ? 'pc-line pc-line-past' : 'pc-line',
            glyphMarginClassName: past ? 'pc-glyph pc-glyph-past' : 'pc-glyph',
            overviewRuler: { color: past ? '#c792ea' : '#f5c542', position: monaco.editor.OverviewRulerLane.Full },
          },
        }]);
        editor.revealLineInCenterIfOutsideViewport(line, monaco.editor.ScrollType.Immediate);
      }
    };
    render();
    const unsub = useIde.subscribe((s, prev) => render(s, prev));

    return () => {
      unsub(); hover.dispose(); onChange.dispose();
      if (timer) clearTimeout(timer);
      editor.dispose(); model.dispose();
    };
  }, []);

  return <div className="editor-host" ref={host} data-testid="editor" />;
}
