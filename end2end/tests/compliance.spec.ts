import { test, expect } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// 合规通报: the statistics of a period, its Excel file, and the notice as
// printed on A4.

test('a supervisor reads the statistics of a quarter and prints the notice on A4', async ({ page }) => {
  await loggedIn(page, 'zgb');
  await page.goto('/compliance');
  await hydrated(page, 'CompliancePage');
  const rows = page.locator('.data-table tbody tr');
  expect(await rows.count()).toBeGreaterThan(2);
  // Another period: a quarter, chosen from the list.
  await page.locator('select[name=period]').selectOption('2026Q3');
  await page.getByRole('button', { name: '统计' }).click();
  await expect(page).toHaveURL(/period=2026Q3/);
  await expect(page.locator('.hint').first()).toContainText('2026 年第 3 季度');
  const units = await page.locator('.data-table tbody td[data-label=建设单位]').allTextContents();
  expect(units.length).toBeGreaterThan(2);

  // The Excel file of the same period.
  const xlsx = await page.request.get('/export/compliance.xlsx?period=2026Q3');
  expect(xlsx.status()).toBe(200);
  expect(xlsx.headers()['content-type']).toContain('spreadsheetml');

  // The notice: the same units, on A4 when printed.
  await page.getByRole('link', { name: '通报稿（打印）' }).click();
  await expect(page).toHaveURL(/\/compliance\/notice\?period=2026Q3/);
  await hydrated(page, 'NoticePage');
  const sheet = page.locator('.notice-sheet');
  await expect(sheet.locator('h1')).toHaveText('关于2026 年第 3 季度标后履约监管系统使用情况的通报');
  for (const u of units) await expect(sheet.locator('.notice-table')).toContainText(u);
  if (test.info().project.name === 'desktop') {
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    await expect(page.locator('.sidenav')).toBeHidden();
    await expect(page.locator('.notice-actions')).toBeHidden();
    const box = (await sheet.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(794);
    const table = (await sheet.locator('.notice-table').boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(794);
    await page.screenshot({ path: test.info().outputPath('notice-print.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    const pages = /\/Count (\d+)/.exec(pdf.toString('latin1'));
    expect(Number(pages![1])).toBeLessThanOrEqual(2);
  }
});

test('owners are not offered the statistics', async ({ page }) => {
  test.skip(test.info().project.name === 'phone', 'the same at any width');
  await loggedIn(page, 'jiaoyu');
  await expect(page.locator('nav a[href="/compliance"]')).toHaveCount(0);
  const r = await page.request.get('/export/compliance.xlsx');
  expect(r.status()).toBe(403);
});
