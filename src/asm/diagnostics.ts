// Diagnostics: every problem has a line, a column range and a message that says how to fix it.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** 1-based source line. */
  line: number;
  /** 1-based column of the first character, and one past the last (endColumn > column). */
  column: number;
  endColumn: number;
  message: string;
}

export interface Span { line: number; column: number; endColumn: number }

/** Diagnostics kept per assembly; past this only counts grow (a hostile file may have one per character). */
export const MAX_DIAGNOSTICS = 1000;
/** Characters of a message at most. */
const MAX_MESSAGE = 400;

export class Diagnostics {
  readonly list: Diagnostic[] = [];
  private errors = 0;
  private dropped = 0;
  private firstDropped: Span | undefined;

  error(span: Span, message: string): void {
    this.errors++;
    this.add('error', span, message);
  }

  warning(span: Span, message: string): void {
    this.add('warning', span, message);
  }

  private add(severity: Severity, span: Span, message: string): void {
    if (this.list.length >= MAX_DIAGNOSTICS) {
      this.dropped++;
      this.firstDropped ??= span;
      return;
    }
    // Messages quote source text, which may be a megabyte-long name: keep both ends.
    const text = message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE / 2)} ... ${message.slice(-MAX_MESSAGE / 2)}`;
    this.list.push({ severity, line: span.line, column: span.column, endColumn: Math.max(span.endColumn, span.column + 1), message: text });
  }

  /** No more diagnostics are kept: callers may skip building costly messages (suggestions). */
  get full(): boolean {
    return this.list.length >= MAX_DIAGNOSTICS;
  }

  get errorCount(): number {
    return this.errors;
  }

  /** By position; with a last entry saying how many more there were when some were dropped. */
  sorted(): Diagnostic[] {
    const out = [...this.list].sort((a, b) => a.line - b.line || a.column - b.column);
    const at = this.firstDropped;
    if (at && this.dropped > 0) {
      out.push({
        severity: this.errors > this.list.filter((d) => d.severity === 'error').length ? 'error' : 'warning',
        line: at.line, column: at.column, endColumn: Math.max(at.endColumn, at.column + 1),
        message: `too many problems: ${this.dropped} more not shown (the first of them is here); fix the ones above and assemble again`,
      });
    }
    return out;
  }
}

/** Edit distance (Levenshtein), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  let prev = new Uint16Array(n + 1);
  let cur = new Uint16Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n] as number;
}

/** The closest candidate to `word` (or undefined if nothing is reasonably close). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase().slice(0, 40);
  const limit = Math.max(2, Math.floor(w.length / 2));
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - w.length) >= bestD) continue;
    const d = editDistance(w, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}
