import { test, expect, Page } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// 项目一张图: the projects in the viewer's scope, lit by progress, filtered,
// and a marker's card opening the project's file (一项目一档).

async function openMap(page: Page, query = '') {
  await page.goto('/map' + query);
  await hydrated(page, 'CountyMapPage');
  // The markers are drawn once Leaflet has loaded.
  await expect(page.locator('.map-frame')).toHaveAttribute('data-markers', /^\d+$/);
}

/** The projects the page lists (its 项目清单), and their count in the summary. */
async function listed(page: Page): Promise<number> {
  const text = await page.locator('.county-list summary').innerText();
  return Number(/（(\d+) 个）/.exec(text)![1]);
}

async function legendTotal(page: Page): Promise<number> {
  const counts = await page.locator('.legend-count').allInnerTexts();
  return counts.reduce((s, c) => s + Number(c), 0);
}

test('the map shows exactly the projects in scope, filters narrow them, a marker opens the project', async ({ page }) => {
  // The page's Content-Security-Policy lets the app, Leaflet and the
  // markers work: nothing is refused.
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) refused.push(m.text());
  });
  await loggedIn(page, 'zgb');
  await openMap(page);
  const all = await listed(page);
  expect(all).toBeGreaterThan(3);
  expect(await legendTotal(page)).toBe(all);
  // Every sited project is a marker; the others are listed beside the map.
  const markers = Number(await page.locator('.map-frame').getAttribute('data-markers'));
  const unsited = await page.locator('.unsited tbody tr').count();
  expect(markers + unsited).toBe(all);
  expect(markers).toBeGreaterThan(0);

  // A filter narrows them: the transport sector as 交通运输局 sees it.
  await page.locator('select[name=sector]').selectOption('transport');
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page).toHaveURL(/sector=transport/);
  await expect(page.locator('.county-list summary')).not.toHaveText(`项目清单（${all} 个）`);
  const transport = await listed(page);
  expect(transport).toBeGreaterThan(0);
  expect(transport).toBeLessThan(all);

  // The legend filters by light, and counts stay per light.
  await openMap(page);
  const red = Number(await page.locator('.legend-item[data-light=red] .legend-count').innerText());
  await page.locator('.legend-item[data-light=red]').click();
  await expect(page).toHaveURL(/light=red/);
  await expect(page.locator('.county-list summary')).toHaveText(`项目清单（${red} 个）`);

  // A click on a marker shows its card; the card opens the project's file.
  await openMap(page);
  const marker = page.locator('path.pm').first();
  const cls = await marker.getAttribute('class');
  const id = /pm-(\d+)/.exec(cls!)![1];
  // Dispatched to the marker itself: a click at its coordinates could land
  // beside it while the map still settles its view.
  await marker.dispatchEvent('click');
  const card = page.locator(`.project-card[data-project="${id}"]`);
  await expect(card).toBeVisible();
  await card.getByRole('link', { name: '打开项目档案' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${id}$`));
  await hydrated(page, 'DossierPage');
  await expect(page.locator('section[aria-label=项目概况]')).toBeVisible();
  await expect(page.locator('#timeline li').first()).toBeVisible();
  expect(refused).toEqual([]);
});

test('a sector authority sees fewer projects than the resource office, an owner only its own', async ({ page }) => {
  test.skip(test.info().project.name === 'phone', 'scope is the same at any width');
  await loggedIn(page, 'zgb');
  await openMap(page);
  const all = await listed(page);
  await page.context().clearCookies();
  await loggedIn(page, 'jtj');
  await openMap(page);
  const sector = await listed(page);
  expect(sector).toBeGreaterThan(0);
  expect(sector).toBeLessThan(all);
  await page.context().clearCookies();
  await loggedIn(page, 'jiaoyu');
  await openMap(page);
  const own = await listed(page);
  expect(own).toBeGreaterThan(0);
  const owners = await page.locator('.county-list tbody td[data-label=建设单位]').allTextContents();
  expect(owners.length).toBe(own);
  expect(new Set(owners)).toEqual(new Set(['平阳县教育局']));
});

test('the map page survives many reloads (Leaflet only after hydration)', async ({ page }) => {
  test.skip(test.info().project.name === 'phone', 'once is enough');
  await loggedIn(page, 'zgb');
  for (let i = 0; i < 8; i++) {
    await openMap(page);
    await expect(page.locator('.leaflet-container')).toBeVisible();
  }
});

test('the lists of the modules link to the project file', async ({ page }) => {
  test.skip(test.info().project.name === 'phone', 'the same links at any width');
  await loggedIn(page, 'zgb');
  for (const list of ['/progress', '/payments', '/changes', '/personnel', '/evaluations', '/alerts', '/orders']) {
    await page.goto(list);
    const link = page.locator('a.dossier-link').first();
    await expect(link, list).toBeVisible();
    const href = await link.getAttribute('href');
    expect(href, list).toMatch(/^\/projects\/\d+$/);
  }
  await page.locator('a.dossier-link').first().click();
  await hydrated(page, 'DossierPage');
  await expect(page.locator('section[aria-label=项目概况]')).toBeVisible();
});
