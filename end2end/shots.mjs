// Screenshots of pages at desktop and 360 px (not a test; run by hand).
import { chromium } from '@playwright/test';
const base = 'http://127.0.0.1:3200';
const pages = JSON.parse(process.argv[2]);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [user, list] of Object.entries(pages)) {
  for (const [w, h, tag] of [[1280, 900, 'd'], [360, 740, 'p']]) {
    const ctx = await browser.newContext({ viewport: { width: w, height: h }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(base + '/login');
    await page.waitForSelector('body[data-hydrated]');
    await page.getByLabel('用户名或手机号').fill(user);
    await page.getByLabel('密码').fill('Pingyang@2026');
    await page.getByRole('button', { name: '登 录' }).click();
    await page.waitForURL(/\/$/);
    for (const [name, path] of list) {
      await page.goto(base + path);
      await page.waitForTimeout(1500);
      await page.screenshot({ path: `/tmp/shots/${name}-${tag}.png`, fullPage: true });
    }
    await ctx.close();
  }
}
await browser.close();
