/**
 * The timeline: icount 0 to the frontier, the position as a draggable handle (an ARIA slider),
 * markers for hits, console I/O, snapshots and the replay break; wheel zoom and pan.
 * A drag sends at most one seek per animation frame; the worker supersedes stale ones.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import { useIde, type TimelineMarker } from '../state/store';
import { seek, symbolsOf, motion, peekAt } from '../state/actions';
import { clampView, toX, toIcount, zoom, pan, ticks, shortCount, type View } from './scale';
import { fmtCount, hex32, parseNumber } from '../format';
import { hooks } from '../commands/registry';

/** The pointer rests this long before the hover asks the worker for pc and symbol. */
const PEEK_DELAY_MS = 120;

const MARKER_COLORS: Record<TimelineMarker['kind'], string> = {
  breakpoint: 'var(--bp)', watchpoint: 'var(--wp)', 'replay-break': 'var(--rb)', exit: 'var(--exit)',
  output: 'var(--out)', input: 'var(--in)', snapshot: 'var(--snap)',
};

export function Timeline() {
  const position = useIde((s) => s.position);
  const markers = useIde((s) => s.markers);
  const snapshots = useIde((s) => s.snapshots);
  const replayBreak = useIde((s) => s.replayBreak);
  const session = useIde((s) => s.session);
  const running = useIde((s) => s.running);
  const frontier = position?.frontier ?? 0;
  const [view, setView] = useState<View>({ start: 0, end: 1 });
  const [follow, setFollow] = useState(true);
  const [drag, setDrag] = useState<number | null>(null);
  const [hover, setHover] = useState<{ x: number; text: string; icount: number | null } | null>(null);
  const peekTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** The icount the hover last asked about (a late answer for another one is dropped). */
  const peekFor = useRef<number | null>(null);
  const [width, setWidth] = useState(800);
  const track = useRef<HTMLDivElement>(null);
  const seekInput = useRef<HTMLInputElement>(null);
  const pending = useRef<number | null>(null);
  /** Where a press started, and the marker under it (a press without movement on a marker jumps to it). */
  const press = useRef<{ x: number; marker: number | null; moved: boolean } | null>(null);
  const frame = useRef<number | null>(null);

  useEffect(() => { hooks.focusSeek = () => seekInput.current?.focus(); }, []);
  const cancelPeek = () => {
    if (peekTimer.current !== null) { clearTimeout(peekTimer.current); peekTimer.current = null; }
    peekFor.current = null;
  };
  useEffect(() => cancelPeek, []);
  /** After the pointer rests, the tooltip adds pc and symbol at `t` (read by the worker without moving). */
  const schedulePeek = (t: number, base: string) => {
    cancelPeek();
    peekFor.current = t;
    peekTimer.current = setTimeout(() => {
      peekTimer.current = null;
      void peekAt(t).then((p) => {
        if (!p || peekFor.current !== t) return;
        const text = `${base} · pc 0x${hex32(p.pc)}${p.symbol !== undefined ? ` · ${p.symbol}` : ''}`;
        setHover((h) => (h && h.icount === t ? { ...h, text } : h));
      });
    }, PEEK_DELAY_MS);
  };
  useEffect(() => {
    const el = track.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  // Whole recording in view until the user zooms; a new session resets the view.
  useEffect(() => { setFollow(true); }, [session?.id]);
  const v = follow ? clampView({ start: 0, end: Math.max(frontier, 1) }, frontier) : clampView(view, frontier);

  const now = drag ?? position?.icount ?? 0;
  const xOf = (t: number) => toX(v, t, width);
  const icountAt = (clientX: number) => {
    const r = track.current!.getBoundingClientRect();
    return Math.max(0, Math.min(frontier, toIcount(v, clientX - r.left, r.width)));
  };

  const sendPending = () => {
    frame.current = null;
    const t = pending.current;
    if (t === null) return;
    pending.current = null;
    void seek(t);
  };
  const requestSeek = (t: number) => {
    pending.current = t;
    if (frame.current === null) frame.current = requestAnimationFrame(sendPending);
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    cancelPeek();
    if (!session || running || e.button !== 0) return;
    const markerAt = (e.target as HTMLElement).dataset.icount;
    press.current = { x: e.clientX, marker: markerAt !== undefined ? Number(markerAt) : null, moved: false };
    e.currentTarget.setPointerCapture(e.pointerId);
    if (press.current.marker !== null) { setDrag(press.current.marker); return; }
    const t = icountAt(e.clientX);
    setDrag(t);
    requestSeek(t);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const r = track.current!.getBoundingClientRect();
    const el = e.target as HTMLElement;
    const onMarker = el.dataset.icount !== undefined && drag === null;
    const t = onMarker ? Number(el.dataset.icount) : icountAt(e.clientX);
    const base = onMarker ? `${el.dataset.label ?? ''} · icount ${fmtCount(t)}` : `icount ${fmtCount(t)}`;
    const x = onMarker ? xOf(t) : e.clientX - r.left;
    if (hover && hover.icount === t) {
      if (hover.x !== x) setHover({ ...hover, x });
    } else {
      setHover({ x, text: base, icount: t });
      if (drag === null && session && !running) schedulePeek(t, base); else cancelPeek();
    }
    if (drag === null || !press.current) return;
    if (Math.abs(e.clientX - press.current.x) > 3) press.current.moved = true;
    if (press.current.marker !== null && !press.current.moved) return;
    setDrag(t);
    requestSeek(t);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (drag === null) return;
    e.currentTarget.releasePointerCapture(e.pointerId);
    const p = press.current;
    press.current = null;
    const t = p && p.marker !== null && !p.moved ? p.marker : icountAt(e.clientX);
    if (frame.current !== null) { cancelAnimationFrame(frame.current); frame.current = null; }
    pending.current = null;
    void seek(t).finally(() => setDrag(null));
  };

  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    if (!frontier) return;
    const span = v.end - v.start;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      setView(pan(v, ((e.shiftKey ? e.deltaY : e.deltaX) / Math.max(width, 1)) * span, frontier));
    } else {
      setView(zoom(v, icountAt(e.clientX), e.deltaY < 0 ? 0.8 : 1.25, frontier));
    }
    setFollow(false);
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!session || running) return;
    const page = Math.max(1, Math.round((v.end - v.start) / 10));
    const at = position?.icount ?? 0;
    let target: number | null = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') { e.preventDefault(); void (at < frontier ? motion('step') : null); return; }
    if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') { e.preventDefault(); void (at > 0 ? motion('reverseStep') : null); return; }
    if (e.key === 'PageUp') target = at + page;
    if (e.key === 'PageDown') target = at - page;
    if (e.key === 'Home') target = 0;
    if (e.key === 'End') target = frontier;
    if (target !== null) { e.preventDefault(); void seek(Math.max(0, Math.min(frontier, target))); }
  };

  // Markers in view, at most one per pixel column per kind.
  const visible = useMemo(() => {
    const out: TimelineMarker[] = [];
    const seen = new Set<string>();
    const all: TimelineMarker[] = [...markers, ...snapshots.map((t) => ({ icount: t, kind: 'snapshot' as const, label: 'snapshot' }))];
    if (replayBreak !== null) all.push({ icount: replayBreak, kind: 'replay-break', label: 'replay break' });
    for (const m of all) {
      if (m.icount < v.start || m.icount > v.end) continue;
      const key = `${m.kind}:${Math.round(toX(v, m.icount, width))}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(m);
    }
    return out;
  }, [markers, snapshots, replayBreak, v.start, v.end, width]);

  const syms = symbolsOf(session);
  const handleX = xOf(now);
  const pct = frontier ? (now / frontier) * 100 : 0;

  return (
    <footer className="timeline" aria-label="Timeline">
      <div className="timeline-bar">
        <div className="timeline-now mono" data-testid="position">
          <span className="lbl">icount</span> <span data-testid="icount">{fmtCount(position?.icount ?? 0)}</span>
          <span className="lbl"> / </span><span data-testid="frontier">{fmtCount(frontier)}</span>
          <span className="lbl">  pc </span><span data-testid="pc">0x{hex32(position?.pc ?? 0)}</span>
          {position && <span className="sym"> {syms.lookup(position.pc) ?? ''}</span>}
          {position && position.icount < position.frontier && <span className="badge past">reviewing the past</span>}
        </div>
        <form className="seek-form" onSubmit={(e) => { e.preventDefault(); const n = parseNumber(seekInput.current?.value ?? ''); if (n !== undefined) void seek(n); }}>
          <input ref={seekInput} aria-label="Seek to icount" placeholder="seek to icount (Ctrl+G)" className="mono" />
          <button type="submit" className="chip" disabled={!session}>Seek</button>
        </form>
        <div className="zoom-info">
          {!follow && <button className="chip" onClick={() => setFollow(true)} title="Show the whole recording">fit</button>}
          <span className="lbl mono">{shortCount(Math.round(v.start))} – {shortCount(Math.round(v.end))}</span>
        </div>
      </div>
      <div className="timeline-track" ref={track} role="slider" tabIndex={0} aria-label="Timeline position (icount)"
        aria-valuemin={0} aria-valuemax={frontier} aria-valuenow={now} aria-valuetext={`instruction ${fmtCount(now)} of ${fmtCount(frontier)}`}
        aria-disabled={!session || running !== null}
        onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerLeave={() => { cancelPeek(); setHover(null); }}
        onWheel={onWheel} onKeyDown={onKey} data-testid="timeline">
        <div className="axis">
          {ticks(v, Math.max(2, Math.floor(width / 110))).map((t) => (
            <span key={t} className="tick" style={{ left: xOf(t) }}><span>{shortCount(t)}</span></span>
          ))}
        </div>
        <div className="recorded" style={{ left: Math.max(0, xOf(0)), width: Math.max(0, Math.min(width, xOf(frontier)) - Math.max(0, xOf(0))) }} />
        <div className="past-fill" style={{ left: Math.max(0, xOf(0)), width: Math.max(0, Math.min(width, handleX)) }} />
        {visible.map((m) => (
          <button key={`${m.kind}${m.icount}`} type="button" className={`marker marker-${m.kind}`} data-marker={m.kind}
            style={{ left: xOf(m.icount), background: MARKER_COLORS[m.kind] }} tabIndex={-1}
            aria-label={`${m.label} at icount ${m.icount}`}
            data-icount={m.kind === 'snapshot' ? undefined : m.icount} data-label={m.label}
            onKeyDown={(e) => { if (e.key === 'Enter' && !running) void seek(m.icount); }} />
        ))}
        <div className={`handle${drag !== null ? ' dragging' : ''}`} style={{ left: handleX }} data-testid="timeline-handle"
          title={`icount ${fmtCount(now)} · pc 0x${hex32(position?.pc ?? 0)} ${syms.lookup(position?.pc ?? 0) ?? ''}`} />
        {hover && <div className="hover-tip mono" data-testid="timeline-hover" style={{ left: Math.min(Math.max(hover.x, 60), width - 60) }}>{hover.text}</div>}
        <span className="sr-only">{pct.toFixed(1)}%</span>
      </div>
    </footer>
  );
}
