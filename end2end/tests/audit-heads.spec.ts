import { test, expect } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// The server publishes the trail's head when it starts (and daily after).
test('a supervisor reads the published heads and checks a kept one', async ({ page }) => {
  await loggedIn(page, 'zgb');
  // In the navigation (behind the menu button on a phone).
  await expect(page.locator('nav a[href="/audit/heads"]')).toHaveCount(1);
  await page.goto('/audit/heads');
  await hydrated(page, 'HeadsPage');
  const first = page.locator('table tbody tr').first();
  const seq = (await first.locator('td').nth(1).innerText()).trim();
  const hash = (await first.locator('code.hash').innerText()).trim();
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  await expect(page.getByRole('link', { name: '导出 Excel' })).toHaveAttribute('href', '/export/audit-heads.xlsx');

  // Bad values are named at their fields.
  await page.getByLabel('序号').fill('abc');
  await page.getByRole('button', { name: '核对' }).click();
  await expect(page.locator('#f-seq-err')).toContainText('序号');
  await expect(page.locator('#f-hash-err')).toContainText('64 位');

  await page.getByLabel('序号').fill(seq);
  await page.getByLabel('链头哈希').fill(hash);
  await page.getByRole('button', { name: '核对' }).click();
  await expect(page.getByTestId('head-result')).toContainText('核对一致');

  // A kept copy that differs (one digit) is reported.
  const other = (hash[0] === '0' ? '1' : '0') + hash.slice(1);
  await page.getByLabel('链头哈希').fill(other);
  await page.getByRole('button', { name: '核对' }).click();
  await expect(page.getByTestId('head-result')).toContainText('与公示的不符');
});

test('owners are not offered the published heads', async ({ page }) => {
  await loggedIn(page, 'jiaoyu');
  await expect(page.locator('nav a[href="/audit/heads"]')).toHaveCount(0);
  const r = await page.goto('/audit/heads');
  expect(r!.status()).toBe(403);
});
