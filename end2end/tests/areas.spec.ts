import { test, expect } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// The demo's kindergarten filing (教育局, filing 1) already has one area.
test('an owner draws a polygon by clicking the map and saves it', async ({ page }) => {
  test.skip(test.info().project.name === 'phone', 'owners draw areas at a desktop');
  await loggedIn(page, 'jiaoyu');
  await page.goto('/filings/1/areas');
  await hydrated(page, 'AreasPage');
  const map = page.locator('.map.leaflet-container');
  await expect(map).toBeVisible();
  await expect(page.locator('.leaflet-overlay-pane path')).toHaveCount(1); // the saved area
  await page.locator('.leaflet-pm-icon-polygon').click();
  const box = (await map.boundingBox())!;
  const pt = (fx: number, fy: number) => ({ x: box.x + box.width * fx, y: box.y + box.height * fy });
  for (const [fx, fy] of [[0.15, 0.15], [0.35, 0.15], [0.35, 0.35], [0.15, 0.35]]) {
    const p = pt(fx, fy);
    await page.mouse.click(p.x, p.y);
  }
  const first = pt(0.15, 0.15);
  await page.mouse.click(first.x, first.y); // closing the ring finishes the polygon
  await expect(page.locator('.drawn-state')).toHaveText('已绘制，待保存');
  const name = `材料堆场${test.info().project.name}`;
  await page.getByLabel('区域名称').fill(name);
  await page.getByRole('button', { name: '保存区域' }).click();
  await expect(page.locator('.data-table')).toContainText(name);
  await expect(page.getByRole('region', { name: '变更记录' })).toHaveCount(0); // history lives on the filing page
});

test('the map page loads every time (no SSR panic)', async ({ page }) => {
  await loggedIn(page, 'jiaoyu');
  for (let i = 0; i < 12; i++) {
    const r = await page.goto('/filings/1/areas');
    expect(r?.status()).toBe(200);
    await hydrated(page, 'AreasPage');
    await expect(page.locator('.map.leaflet-container')).toBeVisible();
  }
});

test('another unit cannot see the areas', async ({ page }) => {
  await loggedIn(page, 'aojiang');
  const r = await page.goto('/filings/1/areas');
  expect(r?.status()).toBe(403);
});
