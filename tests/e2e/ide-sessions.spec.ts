/**
 * The IDE's stored sessions and timeline details: renaming a session (kept across a reload),
 * the timeline hover's pc and symbol at any icount (read without moving), and console markers
 * from the log for sessions opened from storage and imported files.
 */
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { icount, num, openEchoWaitingForInput, openIde, shots } from './fixtures/ide';



/** Waits until nothing runs and the timeline shows the engine's position. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await expect.poll(async () => {
    const r = await page.evaluate(() => window.rewind.api.registers());
    return r.icount === await icount(page);
  }).toBe(true);
}

/** Run the first example (stored as `squares.s`) for a moment, then pause. */
async function recordSquares(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeEnabled();
  await page.waitForTimeout(700);
  await page.getByRole('button', { name: 'Pause' }).click();
  await settled(page);
}

test('rename a stored session: Escape cancels, an empty name is refused, the new name survives a reload', async ({ page }) => {
  await openIde(page);
  await recordSquares(page);
  await page.getByRole('tab', { name: /Sessions/ }).click();
  const list = page.getByTestId('sessions');
  await expect(list).toContainText('squares.s');

  // Escape cancels.
  await page.getByRole('button', { name: 'Rename session squares.s' }).click();
  const field = page.getByLabel('New name for session squares.s');
  await expect(field).toBeFocused();
  await field.fill('not this');
  await field.press('Escape');
  await expect(field).toHaveCount(0);
  await expect(list).toContainText('squares.s');
  await expect(list).not.toContainText('not this');

  // An empty name is refused with a visible message, and nothing changes.
  await page.getByRole('button', { name: 'Rename session squares.s' }).click();
  await field.fill('   ');
  await field.press('Enter');
  await expect(list.getByRole('alert')).toHaveText('A session name cannot be empty.');
  await expect(field).toBeVisible();
  await page.screenshot({ path: `${shots}/20-rename-empty.png` });

  // Enter commits.
  await field.fill('My squares');
  await field.press('Enter');
  await expect(field).toHaveCount(0);
  await expect(list.getByRole('button', { name: 'My squares', exact: true })).toBeVisible();
  await page.getByRole('tab', { name: 'Debug' }).click();
  await expect(page.getByTestId('info-replay')).toContainText('My squares');
  expect((await page.evaluate(() => window.rewind.api.listSessions())).map((s) => s.name)).toEqual(['My squares']);

  // Reload: the stored session comes back under its new name.
  await page.evaluate(() => window.rewind.api.flush());
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('info-replay')).toContainText('My squares');
  await page.getByRole('tab', { name: /Sessions/ }).click();
  await expect(page.getByTestId('sessions').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('sessions').getByRole('button', { name: 'My squares', exact: true })).toBeVisible();
  await page.screenshot({ path: `${shots}/21-renamed-reloaded.png` });
});

test('the timeline hover shows pc and symbol at the icount under the pointer, without moving', async ({ page }) => {
  await openIde(page);
  await recordSquares(page);
  const at = await icount(page);
  const hash = await page.evaluate(() => window.rewind.api.stateHash());
  const track = page.getByRole('slider', { name: /Timeline/ });
  const box = (await track.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.37, box.y + box.height / 2);
  const tip = page.getByTestId('timeline-hover');
  await expect(tip).toContainText(/ · pc 0x[0-9a-f]{8}/);
  const text = (await tip.textContent())!;
  const m = /^icount ([\d,]+) · pc (0x[0-9a-f]{8})(?: · (\S+))?$/.exec(text);
  expect(m, text).not.toBeNull();
  const t = num(m![1]!);
  expect(t).toBeGreaterThan(0);
  expect(t).toBeLessThan(at);
  await page.screenshot({ path: `${shots}/22-timeline-hover.png` });
  // The session did not move.
  expect(await icount(page)).toBe(at);
  expect(await page.evaluate(() => window.rewind.api.stateHash())).toBe(hash);
  expect((await page.evaluate(() => window.rewind.api.registers())).icount).toBe(at);

  // A seek there shows the same pc and symbol in the timeline bar.
  await page.mouse.move(box.x + box.width * 0.5, box.y - 200);
  await page.getByLabel('Seek to icount').fill(String(t));
  await page.getByLabel('Seek to icount').press('Enter');
  await settled(page);
  expect(await icount(page)).toBe(t);
  await expect(page.getByTestId('pc')).toHaveText(m![2]!);
  await expect(page.getByTestId('position').locator('.sym')).toHaveText(` ${m![3] ?? ''}`);
});

test('console markers come from the log: after a reload and in an imported replay file', async ({ page, browser }) => {
  await openIde(page);
  await openEchoWaitingForInput(page);
  await page.getByLabel('Console input').fill('first line');
  await page.getByLabel('Console input').press('Enter');
  await expect(page.getByTestId('console')).toContainText('FIRST LINE');
  await page.getByLabel('Console input').fill('second line');
  await page.getByLabel('Console input').press('Enter');
  await expect(page.getByTestId('console')).toContainText('SECOND LINE');
  await page.getByRole('button', { name: 'Pause' }).click();
  await settled(page);
  await expect(page.locator('.marker-input')).toHaveCount(2);

  // Reload: the session reopens from storage and its input markers come from the stored log.
  await page.evaluate(() => window.rewind.api.flush());
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible({ timeout: 30_000 });
  await settled(page);
  await expect(page.locator('.marker-input')).toHaveCount(2);
  await expect(page.getByRole('button', { name: /^input "first line\\n" at icount \d+$/ })).toHaveCount(1);
  await expect(page.getByRole('button', { name: /^output "SECOND LINE\\n" at icount \d+$/ })).toHaveCount(1);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export replay' }).click();
  const bytes = readFileSync(await (await download).path());

  // Import into a fresh browser context: input markers at once; output once replayed to the end.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await openIde(fresh);
  await fresh.getByLabel('Import a replay file').setInputFiles({ name: 'echo.rwd', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(fresh.getByTestId('info-replay')).toContainText('replay file');
  await expect(fresh.locator('[data-marker="input"]')).toHaveCount(2);
  await expect(fresh.getByRole('button', { name: /^input "second line\\n" at icount \d+$/ })).toHaveCount(1);
  const inputAt = await fresh.locator('[data-marker="input"]').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.icount)));
  const origAt = await page.locator('[data-marker="input"]').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.icount)));
  expect(inputAt).toEqual(origAt);
  const slider = fresh.getByRole('slider', { name: /Timeline/ });
  await slider.focus();
  await fresh.keyboard.press('End');
  await settled(fresh);
  await expect(fresh.getByRole('button', { name: /^output "SECOND LINE\\n" at icount \d+$/ })).toHaveCount(1);
  expect(await fresh.locator('[data-marker="output"]').count()).toBeGreaterThanOrEqual(3);
  await fresh.screenshot({ path: `${shots}/23-imported-console-markers.png` });
  await context.close();
});
