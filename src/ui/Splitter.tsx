/** A drag handle that resizes a panel; the size goes to the layout store (remembered). */
import type { PointerEvent } from 'react';

export function Splitter({ axis, onDrag, label }: { axis: 'x' | 'y'; onDrag: (delta: number) => void; label: string }) {
  const down = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    let last = axis === 'x' ? e.clientX : e.clientY;
    const move = (ev: globalThis.PointerEvent) => {
      const p = axis === 'x' ? ev.clientX : ev.clientY;
      onDrag(p - last);
      last = p;
    };
    const up = () => { el.removeEventListener('pointermove', move); el.removeEventListener('pointerup', up); };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };
  return <div className={`splitter splitter-${axis}`} role="separator" aria-label={label} aria-orientation={axis === 'x' ? 'vertical' : 'horizontal'} onPointerDown={down} />;
}
