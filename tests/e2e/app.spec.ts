import { test, expect } from '@playwright/test';

test('the built app opens the IDE with an example, loading everything from its own origin', async ({ page }) => {
  const foreign: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith('http://127.0.0.1')) foreign.push(req.url());
  });
  await page.goto('/');
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Rewind' })).toBeAttached();
  await expect(page.getByRole('toolbar', { name: 'Debugger' })).toBeVisible();
  await expect(page.locator('.monaco-editor .view-lines')).toContainText('Squares');
  await expect(page.getByRole('slider')).toHaveAttribute('aria-valuenow', '0');
  expect(foreign).toEqual([]);
});
