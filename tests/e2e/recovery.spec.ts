/**
 * Crash-safe recording in Chromium: a reload in the middle of the default example's run loses
 * at most what the engine had not reported stored; the first-start preview run with Continue
 * (F5) is stored too; beforeunload warns while writes are pending; the journal is not queued
 * behind a blocked snapshot batch; output past the kept limit is said under the console.
 *
 * Nothing here waits for time: reloads are triggered by the recording reaching an icount, and
 * waits are for the engine's `stored` events.
 */
import { test, expect, type Page } from '@playwright/test';
import type { EngineEvent, StoredInfo } from '../../workers/api';
import { openIde, num } from './fixtures/ide';
import { SPIN_SOURCE, printerSource } from './fixtures/programs';

interface Rec {
  t0: number;
  frontier: number;
  /** Page time and content of each `stored` event. */
  stored: (StoredInfo & { sessionId: string; at: number })[];
}
declare global {
  interface Window { __rec: Rec }
}

/** Captures the engine's events the tests need (the IDE listens separately). */
async function record(page: Page): Promise<void> {
  await page.evaluate(async () => {
    window.__rec = { t0: 0, frontier: 0, stored: [] };
    await window.rewind.subscribe((batch: EngineEvent[]) => {
      for (const e of batch) {
        if (e.type === 'position') window.__rec.frontier = e.position.frontier;
        if (e.type === 'stored') window.__rec.stored.push({ ...e.stored, sessionId: e.sessionId, at: performance.now() });
      }
    });
  });
}

const SQUARES_TOTAL = 1_879_140_165; // instructions of public/examples/squares.s to its exit

test('a reload in the middle of the default example\'s run reopens it with all but what was not yet stored, and it records on', async ({ page }) => {
  test.setTimeout(420_000);
  await openIde(page);
  await record(page);
  await page.evaluate(() => { window.__rec.t0 = performance.now(); });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  // About 10 s into the run at this machine's usual speed: triggered by the icount, not by time.
  const target = 1_000_000_000;
  await page.waitForFunction((t) => window.__rec.frontier >= t, target, { timeout: 360_000, polling: 50 });
  const before = await page.evaluate(() => {
    const r = window.__rec;
    const id = r.stored[r.stored.length - 1]!.sessionId;
    const mine = r.stored.filter((s) => s.sessionId === id && s.frontier >= 0);
    return { id, lastStored: mine[mine.length - 1]!.frontier, live: r.frontier, ms: performance.now() - r.t0, journals: mine[mine.length - 1]!.journals, intervalMs: mine[0]!.intervalMs };
  });
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible({ timeout: 180_000 });

  const after = await page.evaluate(async () => ({
    status: await window.rewind.api.status(),
    sessions: await window.rewind.api.listSessions(),
  }));
  const session = after.status.session!;
  const m = session.position.frontier;
  // The session that was recording, reopened at its recovered frontier, recording.
  expect(session.id).toBe(before.id);
  expect(after.sessions.map((s) => s.id)).toEqual([before.id]);
  expect(session.recovered).toEqual({ icount: m });
  expect(session.position).toMatchObject({ icount: m, mode: 'recording' });
  // Nothing the engine reported stored was lost; nothing past what ran is claimed.
  expect(m).toBeGreaterThanOrEqual(before.lastStored);
  expect(m).toBeLessThanOrEqual(SQUARES_TOTAL);
  // The cadence is bounded by construction: a change waits at most intervalMs for its write,
  // in a transaction of its own; the run wrote many times.
  expect(before.intervalMs).toBeLessThanOrEqual(1000);
  expect(before.journals).toBeGreaterThan(2);
  await expect(page.getByTestId('frontier')).toHaveText(m.toLocaleString('en-US'));
  const notice = page.getByText(/recovered up to instruction count/);
  await expect(notice).toContainText(`recovered up to instruction count ${m.toLocaleString('en-US')}`);
  // How far the page saw the recording get (noted at unload) is in the notice when it is past m.
  const text = (await notice.textContent()) ?? '';
  const said = /\(the recording had reached about ([\d,]+)\)/.exec(text);
  const reached = said ? Number(said[1]!.replace(/,/g, '')) : m;
  expect(reached).toBeGreaterThanOrEqual(Math.max(m, before.live));
  await expect(page.getByText(/could not be used/)).toHaveCount(0);
  await expect(page.getByTestId('console')).toContainText('Squares: summing');

  const mips = before.live / before.ms / 1000;
  console.log(`reload at ${before.live.toLocaleString('en-US')} instructions (${(before.ms / 1000).toFixed(1)} s, ${mips.toFixed(0)} MIPS): `
    + `last stored reported ${before.lastStored.toLocaleString('en-US')}, recovered ${m.toLocaleString('en-US')}, reached ${reached.toLocaleString('en-US')}; `
    + `lost ${(reached - m).toLocaleString('en-US')} instructions = ${((reached - m) / mips / 1e6).toFixed(2)} s of recording; ${before.journals} writes, every <= ${before.intervalMs} ms`);

  // Recording goes on live from the recovered frontier.
  await record(page);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForFunction((m) => window.__rec.frontier > m + 10_000_000, m, { timeout: 120_000, polling: 50 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeDisabled();
  const resumed = await page.evaluate(() => window.rewind.api.status());
  expect(resumed.session!.position.frontier).toBeGreaterThan(m + 10_000_000);
  expect(resumed.session!.position.mode).toBe('recording');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('Continue (F5) on the first-start example stores it first: a reload brings the run back, not an empty session', async ({ page }) => {
  test.setTimeout(240_000);
  await openIde(page);
  await record(page);
  expect((await page.evaluate(() => window.rewind.api.status())).session!.persisted).toBe(false);
  await page.keyboard.press('F5');
  // The run is stored as it goes: wait for the engine to report 2e8 instructions stored.
  await page.waitForFunction(() => window.__rec.stored.some((s) => s.frontier >= 200_000_000), null, { timeout: 180_000, polling: 50 });
  const stored = await page.evaluate(() => {
    const s = window.__rec.stored.filter((x) => x.frontier >= 200_000_000)[0]!;
    return { id: s.sessionId, frontier: s.frontier };
  });
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible({ timeout: 120_000 });
  const after = await page.evaluate(() => window.rewind.api.status());
  expect(after.session!.id).toBe(stored.id);
  expect(after.session!.persisted).toBe(true);
  expect(after.session!.position.frontier).toBeGreaterThanOrEqual(stored.frontier);
  expect(num(await page.getByTestId('frontier').textContent())).toBe(after.session!.position.frontier);
  await expect(page.getByText(/recovered up to instruction count/)).toBeVisible();
});

test('beforeunload warns while the recording has writes pending, and not once everything is stored', async ({ page, context }) => {
  test.setTimeout(180_000);
  await openIde(page);
  await record(page);
  // A click: Chromium prompts on beforeunload only for a page the user interacted with.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForFunction(() => window.__rec.stored.some((s) => s.pending && s.frontier > 0), null, { timeout: 120_000, polling: 50 });
  const dialogs: string[] = [];
  page.once('dialog', (d) => { dialogs.push(d.type()); void d.dismiss(); });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => dialogs, { timeout: 30_000 }).toEqual(['beforeunload']);
  // Dismissed: the page stays, and the run goes on.
  expect(page.isClosed()).toBe(false);

  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeDisabled();
  // Everything committed: the last report after the stop says nothing is pending.
  await page.waitForFunction(() => {
    const r = window.__rec.stored;
    const last = r[r.length - 1];
    return last !== undefined && !last.pending && last.frontier >= window.__rec.frontier;
  }, null, { timeout: 60_000, polling: 50 });
  const later: string[] = [];
  page.on('dialog', (d) => { later.push(d.type()); void d.accept(); });
  const closed = page.waitForEvent('close');
  await page.close({ runBeforeUnload: true });
  await closed;
  expect(later).toEqual([]);
  expect(context.pages()).not.toContain(page);
});

test('the record and log are written while a snapshot batch is blocked behind another transaction', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await page.waitForFunction(() => window.rewind !== undefined);
  await record(page);
  const r = await page.evaluate(async (source) => {
    const api = window.rewind.api;
    const res = await api.load({ kind: 'asm', text: source, fileName: 'spin.s' }, { snapshotInterval: 200_000 });
    const id = res.session!.id;
    await api.flush();
    // Another connection holds the snapshot database's 'packs' (as a long batch of another tab
    // would), until released: the engine's snapshot batches wait behind it.
    const open = (name: string) => new Promise<IDBDatabase>((ok, ko) => { const q = indexedDB.open(name); q.onsuccess = () => ok(q.result); q.onerror = () => ko(q.error); });
    const db = await open('rewind');
    const cache = await open('rewind-snapshots');
    const tx = cache.transaction(['packs'], 'readwrite');
    const packs = tx.objectStore('packs');
    let holding = true;
    const spin = (): void => { packs.count().onsuccess = () => { if (holding) spin(); }; };
    spin();
    const storedFor = (pred: (s: StoredInfo) => boolean) => new Promise<StoredInfo>((resolve) => {
      const check = (): void => {
        const hit = window.__rec.stored.find((s) => s.sessionId === id && pred(s));
        if (hit) resolve(hit); else setTimeout(check, 20);
      };
      check();
    });
    const seen: StoredInfo[] = [];
    for (const t of [4_000_000, 8_000_000, 12_000_000]) {
      await api.replayBreak(t);
      await api.continueForward();
      seen.push(await storedFor((s) => s.frontier === t));
    }
    const record = await new Promise<{ frontier: number }>((ok) => {
      const q = db.transaction(['sessions'], 'readonly').objectStore('sessions').get(id);
      q.onsuccess = () => ok(q.result as { frontier: number });
    });
    holding = false;
    await new Promise((ok) => { tx.oncomplete = ok; });
    const done = await storedFor((s) => s.frontier === 12_000_000 && !s.pending && s.snapshots > 0);
    await api.seek(11_111_111);
    const hash = await api.stateHash();
    db.close();
    cache.close();
    return { id, seen, record, done, hash, snapshots: (await api.snapshots()).length };
  }, SPIN_SOURCE);
  // While 'packs' was held: the record and log advanced, no snapshot batch committed.
  expect(r.seen.map((s) => s.snapshots)).toEqual([0, 0, 0]);
  expect(r.record.frontier).toBe(12_000_000);
  expect(r.done.snapshots).toBe(r.snapshots - 1);
  await page.evaluate(() => window.rewind.api.flush());
  await page.reload();
  await page.waitForFunction(() => window.rewind !== undefined);
  const back = await page.evaluate(async (id) => {
    const s = await window.rewind.api.openSession(id);
    return { position: s.position.icount, recovered: s.recovered, hash: await window.rewind.api.stateHash() };
  }, r.id);
  expect(back).toEqual({ position: 11_111_111, recovered: null, hash: r.hash });
});

test('output past the kept limit: a one-line note under the console says from which icount', async ({ page }) => {
  test.setTimeout(180_000);
  await openIde(page);
  const limit = 8 * 1024 * 1024;
  const source = printerSource(limit + 100);
  await page.evaluate(async (text) => {
    const res = await window.rewind.load({ kind: 'asm', text, fileName: 'printer.s' });
    if (!res.ok) throw new Error('assembly failed');
  }, source);
  await expect(page.getByTestId('frontier')).toHaveText('0');
  await expect(page.getByTestId('console-dropped')).toHaveCount(0);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  const note = page.getByTestId('console-dropped');
  await expect(note).toBeVisible({ timeout: 120_000 });
  await expect(note).toContainText(`Output from instruction count ${(6 + 5 + 3 * limit).toLocaleString('en-US')} on is not kept (100 bytes`);
  // Before that icount everything is kept: no note there.
  await page.getByLabel('Seek to icount').fill('1000');
  await page.getByLabel('Seek to icount').press('Enter');
  await expect(note).toHaveCount(0);
});
