/** The timeline's visible window of icounts and its mapping to pixels (exact for billions). */
export interface View { start: number; end: number }

export function clampView(v: View, frontier: number): View {
  const max = Math.max(frontier, 1);
  let span = Math.max(16, Math.min(v.end - v.start, max));
  if (!Number.isFinite(span)) span = max;
  let start = Math.max(0, Math.min(v.start, max - span));
  if (span >= max) start = 0;
  return { start, end: start + span };
}

export const toX = (v: View, t: number, width: number): number => ((t - v.start) / (v.end - v.start)) * width;
export const toIcount = (v: View, x: number, width: number): number => Math.round(v.start + (x / Math.max(width, 1)) * (v.end - v.start));

/** Zooms by `factor` (<1 zooms in) around icount `at`. */
export function zoom(v: View, at: number, factor: number, frontier: number): View {
  const span = (v.end - v.start) * factor;
  const ratio = (at - v.start) / (v.end - v.start);
  return clampView({ start: at - ratio * span, end: at - ratio * span + span }, frontier);
}

export function pan(v: View, by: number, frontier: number): View {
  return clampView({ start: v.start + by, end: v.end + by }, frontier);
}

/** Tick positions: a 1-2-5 step giving about `count` ticks. */
export function ticks(v: View, count: number): number[] {
  const raw = (v.end - v.start) / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(v.start / step) * step; t <= v.end; t += step) out.push(t);
  return out;
}

export function shortCount(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}
