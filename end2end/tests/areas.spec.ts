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
  // A clear confirmation; the drawn shape is now the saved one, nothing is left to save.
  await expect(page.getByRole('status').filter({ hasText: '区域已保存' })).toBeVisible();
  await expect(page.locator('.drawn-state')).toHaveText('尚未绘制');
  await expect(page.locator('.leaflet-overlay-pane path')).toHaveCount(2);
  await page.getByRole('button', { name: '保存区域' }).click();
  await expect(page.locator('#f-geojson-err')).not.toBeEmpty();
  await expect(page.locator('.data-table tbody tr')).toHaveCount(2);
  await expect(page.getByRole('region', { name: '变更记录' })).toHaveCount(0); // history lives on the filing page

  // Deleting on a filed project asks to confirm and for a reason.
  const row = page.locator('.data-table tbody tr', { hasText: name });
  await row.locator('summary', { hasText: '删除' }).click();
  await row.getByRole('button', { name: '确认删除' }).click();
  await expect(row.locator('.field-error')).toContainText('请填写删除原因');
  await row.getByLabel('删除原因（必填）').fill('堆场已撤');
  await row.getByRole('button', { name: '确认删除' }).click();
  await expect(page.getByRole('status').filter({ hasText: '区域已删除' })).toBeVisible();
  await expect(page.locator('.data-table')).not.toContainText(name);
});

test('the owner finds the site by a pasted coordinate; the map has a scale', async ({ page }) => {
  await loggedIn(page, 'jiaoyu');
  await page.goto('/filings/1/areas');
  await hydrated(page, 'AreasPage');
  await expect(page.locator('.leaflet-control-scale')).toBeVisible();
  const locate = page.getByRole('form', { name: '定位' });
  await locate.getByLabel('定位到坐标').fill('120.5655，27.6625');
  await locate.getByLabel('坐标系').selectOption('gcj02');
  await locate.getByRole('button', { name: '定位', exact: true }).click();
  // A GCJ-02 point (高德/微信) is shifted back to WGS-84, a few hundred metres.
  await expect(locate.getByRole('status')).toContainText(/已定位到 27\.66\d+, 120\.5\d+（WGS-84）/);
  await locate.getByLabel('定位到坐标').fill('48.85, 2.35');
  await locate.getByRole('button', { name: '定位', exact: true }).click();
  await expect(locate.getByRole('status')).toContainText('不在中国境内');
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
