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

export class Diagnostics {
  readonly list: Diagnostic[] = [];

  error(span: Span, message: string): void {
    this.list.push({ severity: 'error', line: span.line, column: span.column, endColumn: Math.max(span.endColumn, span.column + 1), message });
  }

  warning(span: Span, message: string): void {
    this.list.push({ severity: 'warning', line: span.line, column: span.column, endColumn: Math.max(span.endColumn, span.column + 1), message });
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.list) if (d.severity === 'error') n++;
    return n;
  }

  sorted(): Diagnostic[] {
    return [...this.list].sort((a, b) => a.line - b.line || a.column - b.column);
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
