import { test, expect } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// The demo's filed kindergarten has an area of about 200 m × 170 m at
// 120.558–120.560 E, 27.668–27.6695 N; 刘洋 (xmjl_liu) is its project manager.
const inside = { latitude: 27.6688, longitude: 120.559, accuracy: 12 };
const outside = { latitude: 27.6688, longitude: 120.565, accuracy: 12 }; // ~493 m east of its edge

test.describe('with location permission', () => {
  test.use({ permissions: ['geolocation'], geolocation: inside });

  test('inside gives success with the server time; outside a refusal with the distance', async ({ page, context }) => {
    await loggedIn(page, 'xmjl_liu');
    await page.goto('/checkin');
    await hydrated(page, 'CheckinPage');
    const card = page.locator('.checkin-card', { hasText: '平阳县城西幼儿园新建工程' });
    await card.getByRole('button', { name: '打卡' }).click();
    await expect(card.locator('.checkin-msg')).toContainText('打卡成功');
    await expect(card.locator('.checkin-msg')).toContainText('服务器时间');

    await context.setGeolocation(outside);
    await card.getByRole('button', { name: '打卡' }).click();
    await expect(card.locator('.checkin-msg')).toContainText('不在考勤区域内');
    await expect(card.locator('.checkin-msg')).toContainText(/约 49\d 米/);
  });
});

// On a weak signal the wasm takes seconds: the server-rendered page's 打卡
// works before it (app/src/features/attendance/checkin_early.js). Here the wasm never arrives.
test.describe('before the app has loaded', () => {
  test.use({ permissions: ['geolocation'], geolocation: inside });

  test('打卡 on the server-rendered page is answered with the server time', async ({ page }) => {
    await loggedIn(page, 'xmjl_liu');
    await page.route('**/pkg/**', (route) => route.abort());
    await page.goto('/checkin');
    const card = page.locator('.checkin-card', { hasText: '平阳县城西幼儿园新建工程' });
    await card.getByRole('button', { name: '打卡' }).click();
    const box = page.locator('#checkin-early-msg');
    await expect(box).toContainText('服务器时间');
    await expect(box).toContainText('平阳县城西幼儿园新建工程');
    await expect(box).toHaveClass(/alert-ok/);
    // It was the early script that answered: the app never hydrated.
    await expect(page.locator('body')).not.toHaveAttribute('data-page', 'CheckinPage');
  });
});

test.describe('without location permission', () => {
  test.use({ permissions: [] });

  test('the page says how to allow location', async ({ page }) => {
    await loggedIn(page, 'xmjl_liu');
    await page.goto('/checkin');
    await hydrated(page, 'CheckinPage');
    const card = page.locator('.checkin-card').first();
    await card.getByRole('button', { name: '打卡' }).click();
    await expect(card.locator('.checkin-msg')).toContainText('未获得定位权限');
  });
});

// The owner adds a second area 50 km east (a precast yard on the coast); the
// person checks in at the site, then a minute later at the yard: accepted,
// but flagged for the owner as an impossible move.
test.describe('plausibility', () => {
  test.use({ permissions: ['geolocation'], geolocation: inside });

  test('a check-in 50 km from the previous one a minute earlier is flagged', async ({ page, context, browser }) => {
    await loggedIn(page, 'xmjl_liu');
    const projects = await (await page.request.post('/api/checkin/projects')).json();
    const filingId = projects.find((p: { project_name: string }) => p.project_name.includes('城西幼儿园')).filing_id;

    const ownerContext = await browser.newContext();
    const owner = await ownerContext.newPage();
    await loggedIn(owner, 'jiaoyu');
    const yard = { latitude: 27.6688, longitude: 121.0663, accuracy: 15 };
    const geojson = JSON.stringify({
      type: 'Feature', properties: { radius: 300 },
      geometry: { type: 'Point', coordinates: [yard.longitude, yard.latitude] },
    });
    const added = await owner.request.post('/api/areas/add', { form: { filing_id: String(filingId), name: '预制构件厂', geojson } });
    expect(added.ok()).toBeTruthy();

    try {
      await page.goto('/checkin');
      await hydrated(page, 'CheckinPage');
      const card = page.locator('.checkin-card', { hasText: '平阳县城西幼儿园新建工程' });
      await card.getByRole('button', { name: '打卡' }).click();
      await expect(card.locator('.checkin-msg')).toContainText('打卡成功');
      await context.setGeolocation(yard);
      await card.getByRole('button', { name: '打卡' }).click();
      // Accepted (the day is already counted), not refused.
      await expect(card.locator('.checkin-msg')).toContainText('不重复计数');

      await owner.goto('/attendance');
      await hydrated(owner, 'AttendancePage');
      const flagged = owner.locator('section', { hasText: '存疑打卡' });
      await expect(flagged.getByText(/移动速度异常：距上次打卡 5\d\.\d 公里/).first()).toBeVisible();
    } finally {
      const view = await (await owner.request.post('/api/areas/list', { form: { filing_id: String(filingId) } })).json();
      for (const a of view.areas.filter((a: { name: string }) => a.name === '预制构件厂')) {
        // The filing is submitted: removing an area needs a reason.
        const removed = await owner.request.post('/api/areas/remove', {
          form: { filing_id: String(filingId), area_id: String(a.id), reason: '测试结束，移除临时区域' },
        });
        expect(removed.ok()).toBeTruthy();
      }
      await ownerContext.close();
    }
  });
});
