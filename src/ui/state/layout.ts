/** Panel sizes, remembered in localStorage. */
import { create } from 'zustand';

export interface Layout {
  /** Width of the right-hand side panels (px). */
  sideWidth: number;
  /** Height of the console (px). */
  consoleHeight: number;
  /** Height of the registers panel inside the side column (px). */
  registersHeight: number;
}

const KEY = 'rewind.layout.v2';
const DEFAULT: Layout = { sideWidth: 600, consoleHeight: 170, registersHeight: 300 };

function load(): Layout {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return DEFAULT;
    const v = JSON.parse(raw) as Partial<Layout>;
    const num = (x: unknown, d: number) => (typeof x === 'number' && Number.isFinite(x) ? x : d);
    return { sideWidth: num(v.sideWidth, DEFAULT.sideWidth), consoleHeight: num(v.consoleHeight, DEFAULT.consoleHeight), registersHeight: num(v.registersHeight, DEFAULT.registersHeight) };
  } catch {
    return DEFAULT;
  }
}

export const useLayout = create<Layout>(() => load());

useLayout.subscribe((l) => {
  try { localStorage.setItem(KEY, JSON.stringify(l)); } catch { /* private mode: not remembered */ }
});
