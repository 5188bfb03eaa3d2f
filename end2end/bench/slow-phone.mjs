// The check-in page on a weak signal (issue 17): Chromium with Slow 4G
// (400 ms RTT, 400 kbit/s both ways) and a 4× CPU slowdown opens /checkin as
// 刘洋 (logged in, empty cache), and measures from the navigation:
//   cards   the projects and their 打卡 buttons on screen (server-rendered);
//   usable  打卡 works (the early script, or the app if it came first);
//   app     the app hydrated (body[data-page=CheckinPage]);
//   answer  from a tap at `usable` to the server's answer on screen;
// then the same with the browser's cache warm, and the bytes that went over
// the wire by kind. Not a test: scripts/bench-phone.sh runs it against the
// release server and records the figures.
//   node end2end/bench/slow-phone.mjs http://127.0.0.1:3300 [out.json]
import { chromium } from '@playwright/test';
import { writeFileSync } from 'node:fs';

const base = process.argv[2] ?? 'http://127.0.0.1:3300';
const out = process.argv[3];
const inside = { latitude: 27.6688, longitude: 120.559, accuracy: 12 };
const RTT = 400, KBPS = 400;
const APP_TIMEOUT = Number(process.env.APP_TIMEOUT_MS ?? 120_000);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const ctx = await browser.newContext({
  viewport: { width: 360, height: 740 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/4G Language/zh_CN',
  locale: 'zh-CN', timezoneId: 'Asia/Shanghai', permissions: ['geolocation'], geolocation: inside,
});
// Log in at full speed (not measured).
const login = await ctx.newPage();
await login.goto(base + '/login');
await login.waitForSelector('body[data-hydrated]');
await login.getByLabel('用户名或手机号').fill('xmjl_liu');
await login.getByLabel('密码').fill('Pingyang@2026');
await login.getByRole('button', { name: '登 录' }).click();
await login.waitForURL(/\/$/);
await login.close();

async function visit(label, { cold }) {
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  if (cold) await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: RTT, downloadThroughput: (KBPS * 1000) / 8, uploadThroughput: (KBPS * 1000) / 8,
    connectionType: 'cellular4g',
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const bytes = {};
  const kinds = new Map();
  cdp.on('Network.responseReceived', (e) => kinds.set(e.requestId, kindOf(e.response.url, e.response.mimeType)));
  cdp.on('Network.loadingFinished', (e) => {
    const k = kinds.get(e.requestId) ?? 'other';
    bytes[k] = (bytes[k] ?? 0) + e.encodedDataLength;
  });
  const t0 = Date.now();
  const since = () => Date.now() - t0;
  await page.goto(base + '/checkin', { waitUntil: 'commit' });
  const card = page.locator('.checkin-card', { hasText: '平阳县城西幼儿园新建工程' });
  await card.getByRole('button', { name: '打卡' }).waitFor({ state: 'visible', timeout: 120_000 });
  const cards = since();
  await page.waitForFunction(
    () => window.bhlyEarlyCheckin === true || document.body.dataset.page === 'CheckinPage',
    null, { timeout: 120_000, polling: 20 });
  const usable = since();
  const tap = Date.now();
  await card.getByRole('button', { name: '打卡' }).click();
  await page.waitForFunction(() => {
    const t = (document.getElementById('checkin-early-msg')?.textContent ?? '')
      + [...document.querySelectorAll('.checkin-msg')].map((m) => m.textContent).join('');
    return t.includes('服务器时间');
  }, null, { timeout: 120_000, polling: 20 });
  const answer = Date.now() - tap;
  const answeredBy = (await page.locator('#checkin-early-msg').count()) > 0 ? 'early script' : 'app';
  // A debug build's wasm (5 MB, uncompressed) may not arrive in time: then
  // the app's time is left out (null), the rest still holds.
  const app = await page.waitForSelector('body[data-page="CheckinPage"]', { timeout: APP_TIMEOUT })
    .then(() => since(), () => null);
  await page.waitForTimeout(500);
  await cdp.detach();
  await page.close();
  const kb = Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, Math.round(v / 102.4) / 10]));
  const total = Math.round(Object.values(bytes).reduce((a, b) => a + b, 0) / 102.4) / 10;
  return { label, cards_ms: cards, usable_ms: usable, answer_ms: answer, answered_by: answeredBy, app_ms: app, wire_kb: { ...kb, total } };
}

function kindOf(url, mime) {
  if (url.endsWith('.wasm')) return 'wasm';
  if (mime.includes('javascript')) return 'js';
  if (mime.includes('css')) return 'css';
  if (mime.includes('html')) return 'html';
  if (mime.includes('json')) return 'json';
  return 'other';
}

const cold = await visit('cold cache', { cold: true });
const warm = await visit('warm cache', { cold: false });
await browser.close();
const result = { network: `Slow 4G: ${RTT} ms RTT, ${KBPS} kbit/s`, cpu: '4x slowdown', runs: [cold, warm] };
console.log(JSON.stringify(result, null, 2));
if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
