import { test, expect } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// 统计分析: the dashboards' figures agree with the county map (the same
// service answer) and with their own tables.

test('the progress dashboard counts the lights the map shows, by sector and in total', async ({ page }) => {
  await loggedIn(page, 'zgb');
  await page.goto('/map');
  await hydrated(page, 'CountyMapPage');
  const legend: Record<string, number> = {};
  for (const code of ['red', 'yellow', 'on_schedule', 'not_started', 'completed']) {
    legend[code] = Number(await page.locator(`.legend-item[data-light=${code}] .legend-count`).innerText());
  }
  await page.goto('/dashboards/progress');
  await hydrated(page, 'ProgressDashboardPage');
  let total = 0;
  for (const [code, n] of Object.entries(legend)) {
    await expect(page.locator(`.light-stats [data-light=${code}] strong`)).toHaveText(String(n));
    total += n;
  }
  // Reached through a tab, the chart is built in the browser: its bars'
  // names (links to the map) are drawn there too, not only when rendered on
  // the server.
  await page.locator('nav.tabs a[href="/dashboards/payments"]').click();
  await expect(page.locator('nav.tabs a[aria-current=page]')).toHaveText('资金拨付');
  await page.locator('nav.tabs a[href="/dashboards/progress"]').click();
  await expect(page.locator('nav.tabs a[aria-current=page]')).toHaveText('工程进度');
  await expect(page.locator('section[aria-label=按行业] svg a text').first()).toBeVisible();
  // The sector chart's table adds up to every project.
  const sums = await page.locator('section[aria-label=按行业] .chart-data tbody tr td:last-child').allTextContents();
  expect(sums.reduce((s, v) => s + Number(v), 0)).toBe(total);
  // So does the towns' (read from the sites' addresses); a town's bar
  // opens the map filtered to it, with as many projects.
  const towns = page.locator('section[aria-label=按乡镇] .chart-data tbody tr');
  const townSums = await towns.locator('td:last-child').allTextContents();
  expect(townSums.reduce((s, v) => s + Number(v), 0)).toBe(total);
  const kunyang = Number(await towns.filter({ hasText: '昆阳镇' }).locator('td:last-child').textContent());
  expect(kunyang).toBeGreaterThan(1);
  await page.goto('/map?town=' + encodeURIComponent('昆阳镇'));
  await hydrated(page, 'CountyMapPage');
  let onMap = 0;
  for (const code of Object.keys(legend)) {
    onMap += Number(await page.locator(`.legend-item[data-light=${code}] .legend-count`).innerText());
  }
  expect(onMap).toBe(kunyang);
  await page.goto('/dashboards/progress');
  await hydrated(page, 'ProgressDashboardPage');
  // The most delayed open their project's file.
  const first = page.locator('section[aria-label=滞后最严重的项目] tbody tr a').first();
  await first.click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  await hydrated(page, 'DossierPage');
});

test('the payments dashboard totals what its project table lists', async ({ page }) => {
  await loggedIn(page, 'zgb');
  await page.goto('/dashboards/payments');
  await hydrated(page, 'PaymentsDashboardPage');
  const tile = Number((await page.locator('.stat', { hasText: '累计拨付（万元）' }).locator('strong').innerText()).replace(/,/g, ''));
  const rows = page.locator('section[aria-label=各项目拨付] .data-table tbody tr');
  const paid = await rows.locator('td[data-label="累计拨付（万元）"]').allTextContents();
  const sum = paid.reduce((s, v) => s + Number(v.replace(/,/g, '')), 0);
  expect(tile).toBeGreaterThan(0);
  expect(Math.abs(sum - tile)).toBeLessThan(0.05 * paid.length);
  // The flagged projects are among them, marked.
  const flagged = await page.locator('section[aria-label=需关注的拨付] tbody tr td[data-label=提示]').allTextContents();
  for (const f of flagged) expect(['超付', '拨付超进度']).toContain(f.trim());
});

test('the alerts board adds up by rule and by unit', async ({ page }) => {
  await loggedIn(page, 'zgb');
  await page.goto('/dashboards/alerts');
  await hydrated(page, 'AlertsDashboardPage');
  const open = Number(await page.locator('.stat', { hasText: '未消除预警' }).locator('strong').innerText());
  expect(open).toBeGreaterThan(0);
  const byRule = await page.locator('section[aria-label=按规则] .chart-data tbody tr td:last-child').allTextContents();
  expect(byRule.reduce((s, v) => s + Number(v), 0)).toBe(open);
  const byUnit = await page.locator('section[aria-label=按建设单位] td[data-label=未消除预警]').allTextContents();
  expect(byUnit.reduce((s, v) => s + Number(v), 0)).toBe(open);
});

test('the attendance board lists who is below the bar and who has not checked in today', async ({ page }) => {
  await loggedIn(page, 'zgb');
  await page.goto('/dashboards/attendance');
  await hydrated(page, 'AttendanceDashboardPage');
  // The tile's count is the table's rows, one project link each.
  const below = Number(await page.locator('.stat', { hasText: '低于' }).locator('strong').innerText());
  await expect(page.locator('section[aria-label=低于下限的人员] tbody tr a')).toHaveCount(below);
  const [done, owed] = (await page.locator('.stat', { hasText: '今日已打卡' }).locator('strong').innerText())
    .split('/')
    .map((s) => Number(s.trim()));
  // (On a Sunday nobody owes a check-in: the table is then empty.)
  await expect(page.locator('#today tbody tr a')).toHaveCount(owed - done);
  expect(below).toBeGreaterThan(0);
  // Another month, chosen in the form: the page answers for it.
  const second = await page.locator('select[name=month] option').nth(3).getAttribute('value');
  await page.locator('select[name=month]').selectOption(second!);
  await page.getByRole('button', { name: '统计' }).click();
  await expect(page).toHaveURL(new RegExp(`month=${second}`));
  await expect(page.locator('section[aria-label=按行业] h2')).toContainText(second!);
  // A person's project opens its file.
  await page.locator('section[aria-label=低于下限的人员] tbody tr a').first().click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  await hydrated(page, 'DossierPage');
});

test('an owner sees its own projects on the attendance board', async ({ page }) => {
  await loggedIn(page, 'chengjian');
  await page.goto('/dashboards/attendance');
  await hydrated(page, 'AttendanceDashboardPage');
  const owners = await page.locator('section[aria-label=按建设单位] .chart-data tbody th').allTextContents();
  expect(owners).toEqual(['平阳县城市建设开发中心']);
});
