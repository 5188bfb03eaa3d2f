// Screenshots of pages at desktop and 360 px width: node shots.mjs user path...
import { chromium } from '@playwright/test';
const base = process.env.BASE || 'http://127.0.0.1:3200';
const [user, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const [tag, viewport] of [['desk', { width: 1280, height: 900 }], ['phone', { width: 360, height: 740 }]]) {
  const page = await browser.newPage({ viewport, locale: 'zh-CN' });
  await page.goto(base + '/login');
  await page.waitForSelector('body[data-hydrated]');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'Pingyang@2026');
  await page.click('button[type=submit]');
  await page.waitForURL(u => !u.pathname.startsWith('/login'));
  for (const p of paths) {
    await page.goto(base + p);
    await page.waitForTimeout(2500);
    const name = `/tmp/shots/${user}${p.replace(/[/?=&]/g, '_')}-${tag}.png`;
    await page.screenshot({ path: name, fullPage: true });
    console.log(name);
  }
  await page.close();
}
await browser.close();
