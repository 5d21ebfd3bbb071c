/**
 * The IDE as a new user drives it: the first-start example, run/pause, gutter breakpoints, reverse
 * execution, the timeline, replay breaks, watchpoints from the memory panel, console input,
 * export/import, reload, a corrupt file, and keyboard shortcuts. Screenshots go to test-results/ide.
 */
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { icount, num, openEchoWaitingForInput, openIde, shots } from './fixtures/ide';

const BP_LINE = 23; // `sw s1, 0(s2)` in public/examples/squares.s

async function frontier(page: Page): Promise<number> { return num(await page.getByTestId('frontier').textContent()); }
async function pc(page: Page): Promise<string> { return (await page.getByTestId('pc').textContent()) ?? ''; }
/** The registers panel as text, register by register. */
async function panelRegisters(page: Page): Promise<Record<string, string>> {
  return page.getByTestId('registers').evaluate((t) => Object.fromEntries(
    [...t.querySelectorAll('tr')].map((r) => [r.getAttribute('data-reg') ?? '', r.querySelector('td.val')?.textContent ?? ''])));
}
/** The engine's registers formatted as the panel shows them (hex). */
async function engineRegisters(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const r = await window.rewind.api.registers();
    const abi = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
    const h = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
    return { pc: h(r.pc), ...Object.fromEntries(abi.map((n, i) => [n, h(r.x[i] ?? 0)])) };
  });
}
/** Waits until nothing runs and the panels show the engine's current state. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await expect.poll(async () => JSON.stringify(await panelRegisters(page)) === JSON.stringify(await engineRegisters(page))).toBe(true);
}
async function stopText(page: Page): Promise<string> {
  return (await page.getByTestId('info-replay').locator('dd').nth(4).textContent()) ?? '';
}
async function clickGutterLine(page: Page, line: number): Promise<void> {
  await page.locator('.monaco-editor .line-numbers', { hasText: new RegExp(`^${line}$`) }).click();
}

test('the core debugging flow: run, pause, breakpoints, reverse, timeline, replay break, watchpoint, export/import, reload', async ({ page, browser }) => {
  test.setTimeout(150_000);
  await openIde(page);
  await expect(page.locator('.monaco-editor .view-lines')).toContainText('Squares');
  await page.screenshot({ path: `${shots}/01-first-start.png` });

  // Assemble and run, then pause.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeEnabled();
  await page.waitForTimeout(1200);
  await expect(page.getByTestId('progress')).toBeVisible();
  await page.getByRole('button', { name: 'Pause' }).click();
  await settled(page);
  const paused = await icount(page);
  expect(paused).toBeGreaterThan(1_000_000);
  expect(await stopText(page)).toBe('pause');
  await expect(page.getByTestId('console')).toContainText('Squares: summing');
  await page.screenshot({ path: `${shots}/02-paused.png` });

  // Breakpoint from the gutter, continue to it.
  await clickGutterLine(page, BP_LINE);
  await expect(page.getByTestId('breakpoints').locator('li')).toHaveCount(1);
  await expect(page.locator('.bp-glyph')).toHaveCount(1);
  const bpAddr = (await page.getByTestId('breakpoints').locator('.mono').first().textContent())!;
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await settled(page);
  expect(await stopText(page)).toContain('breakpoint');
  expect(await pc(page)).toBe(bpAddr);
  const hit1 = await icount(page);
  expect(hit1).toBeGreaterThan(paused);
  await expect(page.locator('.pc-line')).toHaveCount(1);
  await page.screenshot({ path: `${shots}/03-breakpoint.png` });

  // Reverse step: the registers panel shows the previous instruction's state.
  const atHit = await panelRegisters(page);
  await page.getByRole('button', { name: 'Reverse step', exact: true }).click();
  await settled(page);
  expect(await icount(page)).toBe(hit1 - 1);
  const before = await panelRegisters(page);
  expect(before.s1).not.toBe(atHit.s1); // `add s1, s1, t0` is undone
  expect(before).toEqual(await engineRegisters(page));
  await expect(page.locator('tr.changed[data-reg="s1"]')).toHaveCount(1);
  await expect(page.locator('.pc-line-past')).toHaveCount(1);
  await page.screenshot({ path: `${shots}/04-reverse-step.png` });

  // Continue twice (two hits), then reverse continue returns to the previous hit.
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await settled(page);
  expect(await icount(page)).toBe(hit1);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await settled(page);
  const hit2 = await icount(page);
  expect(hit2).toBeGreaterThan(hit1);
  await page.getByRole('button', { name: 'Reverse continue', exact: true }).click();
  await settled(page);
  expect(await icount(page)).toBe(hit1);
  expect(await stopText(page)).toContain('breakpoint');

  // Remove the breakpoint; drag the timeline handle to the middle, measuring frame gaps.
  await page.getByRole('button', { name: /^Remove breakpoint/ }).click();
  await expect(page.getByTestId('breakpoints').locator('li.empty')).toHaveCount(1);
  const end = await frontier(page);
  const track = page.getByRole('slider', { name: /Timeline/ });
  await expect(track).toHaveAttribute('aria-valuemax', String(end));
  const box = (await track.boundingBox())!;
  await page.evaluate(() => {
    const w = window as unknown as { __gaps: number[]; __long: number[]; __stop: boolean };
    w.__gaps = []; w.__long = []; w.__stop = false;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__long.push(e.duration); }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    const tick = (t: number) => { w.__gaps.push(t - last); last = t; if (!w.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const y = box.y + box.height / 2;
  const startX = Math.min(box.x + box.width * (hit1 / end), box.x + box.width - 3); // grab the handle
  await page.mouse.move(startX, y);
  await page.mouse.down();
  const steps = 40;
  for (let i = 1; i <= steps; i++) {
    const x = startX + ((box.x + box.width * 0.5 - startX) * i) / steps + (i % 2 ? 3 : -3) * (i < steps ? 1 : 0);
    await page.mouse.move(x, y);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  await settled(page);
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __gaps: number[]; __long: number[]; __stop: boolean };
    w.__stop = true;
    return { gaps: w.__gaps.slice(1), long: w.__long };
  });
  const maxGap = Math.max(...frames.gaps);
  console.log(`timeline drag: ${frames.gaps.length} frames, max frame gap ${maxGap.toFixed(1)} ms, long tasks ${JSON.stringify(frames.long.map((d) => Math.round(d)))}`);
  // Frame gaps and long tasks are figures (printed above), not a bound: tests never measure time.
  expect(frames.gaps.length).toBeGreaterThan(0);
  const mid = await icount(page);
  expect(Math.abs(mid - end / 2)).toBeLessThan(end * 0.02);
  await expect(track).toHaveAttribute('aria-valuenow', String(mid));
  const dragged = await panelRegisters(page);
  await page.screenshot({ path: `${shots}/05-timeline-drag.png` });
  // A seek to that icount (typed) gives the same registers.
  await page.getByRole('button', { name: 'Restart' }).click();
  await settled(page);
  expect(await icount(page)).toBe(0);
  await page.getByLabel('Seek to icount').fill(String(mid));
  await page.getByLabel('Seek to icount').press('Enter');
  await settled(page);
  expect(await icount(page)).toBe(mid);
  expect(await panelRegisters(page)).toEqual(dragged);

  // Replay break: a forward continue stops exactly there (inside the recording and past it).
  for (const target of [mid + 12_345, end + 54_321]) {
    await page.getByLabel('Replay break icount').fill(String(target));
    await page.getByRole('button', { name: 'Set replay break' }).click();
    await expect(page.getByTestId('breakpoints')).toContainText(`replay_break ${target.toLocaleString('en-US')}`);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await settled(page);
    expect(await icount(page)).toBe(target);
    expect(await stopText(page)).toBe('replay break');
  }
  await page.getByRole('button', { name: 'Delete replay break' }).click();
  await page.screenshot({ path: `${shots}/06-replay-break.png` });

  // Watchpoint from the memory panel (on `total`), reverse continue to the write.
  const totalCell = page.getByTestId('memory').locator('td.cell.followed'); // the cell at `total`
  await expect(page.getByLabel('Memory address')).toHaveValue('total');
  await totalCell.click();
  await page.getByRole('button', { name: 'Watch selected word' }).click();
  await expect(page.getByTestId('breakpoints')).toContainText('write 0x');
  const beforeWatch = await icount(page);
  await page.getByRole('button', { name: 'Reverse continue', exact: true }).click();
  await settled(page);
  const w = await icount(page);
  expect(w).toBeLessThan(beforeWatch);
  expect(beforeWatch - w).toBeLessThan(20);
  expect(await stopText(page)).toContain('watchpoint: write');
  expect(await pc(page)).toBe(bpAddr); // the `sw` that writes `total`
  await expect(totalCell).toHaveClass(/watched/);
  await page.screenshot({ path: `${shots}/07-watchpoint.png` });
  await page.getByRole('button', { name: /^Remove watchpoint/ }).click();

  // Export the replay file.
  const state = { icount: await icount(page), regs: await panelRegisters(page), hash: await page.evaluate(() => window.rewind.api.stateHash()), frontier: await frontier(page) };
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export replay' }).click();
  const file = await (await download).path();
  expect((await (await download).suggestedFilename())).toBe('squares.rwd');
  const bytes = readFileSync(file);

  // Reload: the session is restored at the same position.
  await page.evaluate(() => window.rewind.api.flush());
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible({ timeout: 30_000 });
  await settled(page);
  expect(await icount(page)).toBe(state.icount);
  expect(await frontier(page)).toBe(state.frontier);
  expect(await panelRegisters(page)).toEqual(state.regs);
  await expect(page.locator('.monaco-editor .view-lines')).toContainText('Squares');
  await page.getByRole('tab', { name: /Sessions/ }).click();
  await expect(page.getByTestId('sessions').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('sessions')).toContainText('squares.s');
  await page.screenshot({ path: `${shots}/08-reloaded-sessions.png` });

  // Import in a fresh browser context: the same state at the same icount.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await openIde(fresh);
  await fresh.getByLabel('Import a replay file').setInputFiles({ name: 'squares.rwd', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(fresh.getByTestId('info-replay')).toContainText('replay file');
  await fresh.getByLabel('Seek to icount').fill(String(state.icount));
  await fresh.getByLabel('Seek to icount').press('Enter');
  await settled(fresh);
  expect(await icount(fresh)).toBe(state.icount);
  expect(await panelRegisters(fresh)).toEqual(state.regs);
  expect(await fresh.evaluate(() => window.rewind.api.stateHash())).toBe(state.hash);
  await expect(fresh.getByLabel('Console input')).toBeDisabled();
  await fresh.screenshot({ path: `${shots}/09-imported.png` });

  // A corrupt file: a clear error, the current session untouched.
  const corrupt = Buffer.from(bytes);
  corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 1;
  await fresh.getByLabel('Import a replay file').setInputFiles({ name: 'corrupt.rwd', mimeType: 'application/octet-stream', buffer: corrupt });
  await expect(fresh.getByRole('alert')).toContainText(/invalid replay file: .*\(at byte \d+\)/);
  expect(await icount(fresh)).toBe(state.icount);
  expect(await fresh.evaluate(() => window.rewind.api.stateHash())).toBe(state.hash);
  await expect(fresh.getByTestId('info-replay')).toContainText('squares');
  await fresh.screenshot({ path: `${shots}/10-corrupt-import.png` });
  await context.close();
});

test('console input is recorded and replayed', async ({ page }) => {
  await openIde(page);
  await openEchoWaitingForInput(page);
  await page.getByLabel('Console input').fill('hello rewind');
  await page.getByLabel('Console input').press('Enter');
  await expect(page.getByTestId('console')).toContainText('HELLO REWIND');
  await expect(page.getByText('guest waits for input')).toBeVisible();
  await page.getByRole('button', { name: 'Pause' }).click();
  await settled(page);
  const end = await icount(page);
  await page.screenshot({ path: `${shots}/11-console-input.png` });
  // Back to the start: no output yet; forward again: the input comes from the log.
  await page.getByRole('button', { name: 'Restart' }).click();
  await settled(page);
  await expect(page.getByTestId('console')).not.toContainText('HELLO');
  await page.getByLabel('Seek to icount').fill(String(end));
  await page.getByLabel('Seek to icount').press('Enter');
  await settled(page);
  await expect(page.getByTestId('console')).toContainText('HELLO REWIND');
  await expect(page.locator('.marker-input')).toHaveCount(1);
});

test('keyboard shortcuts and the timeline slider keys', async ({ page }) => {
  await openIde(page);
  const slider = page.getByRole('slider', { name: /Timeline/ });
  await expect(page.getByRole('button', { name: 'Step', exact: true })).toHaveAttribute('title', 'Step (F11)');
  await expect(page.getByRole('button', { name: 'Reverse continue' })).toHaveAttribute('title', 'Reverse continue (Shift+F5)');
  await page.keyboard.press('Control+Enter'); // Run (assembles the example)
  await expect(page.getByRole('button', { name: 'Pause' })).toBeEnabled();
  await page.waitForTimeout(500);
  await page.keyboard.press('F6'); // Pause
  await settled(page);
  const t = await icount(page);
  await page.keyboard.press('F11');
  await settled(page);
  expect(await icount(page)).toBe(t + 1);
  await page.keyboard.press('Shift+F11');
  await settled(page);
  expect(await icount(page)).toBe(t);
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await settled(page);
  expect(await icount(page)).toBe(t - 1);
  await expect(slider).toHaveAttribute('aria-valuenow', String(t - 1));
  await page.keyboard.press('PageDown');
  await settled(page);
  const down = await icount(page);
  expect(down).toBeLessThan(t - 1000);
  await page.keyboard.press('PageUp');
  await settled(page);
  expect(await icount(page)).toBe(t - 1);
  await page.keyboard.press('Home');
  await settled(page);
  expect(await icount(page)).toBe(0);
  await page.keyboard.press('Shift+F5'); // reverse continue at 0: beginning of the log
  await page.keyboard.press('F5'); // continue: runs on (no breakpoints)
  await expect(page.getByRole('button', { name: 'Pause' })).toBeEnabled();
  await page.keyboard.press('F6');
  await settled(page);
  expect(await icount(page)).toBeGreaterThan(0);
});
