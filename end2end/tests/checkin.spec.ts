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
