import { test, expect } from '@playwright/test';

test('the built app loads offline-capable assets from its own origin', async ({ page }) => {
  const foreign: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith('http://127.0.0.1')) foreign.push(req.url());
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Rewind' })).toBeVisible();
  expect(foreign).toEqual([]);
});
